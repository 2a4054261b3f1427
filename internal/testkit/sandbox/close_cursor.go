package sandbox

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

const closeEventLimit = 50 // Events API _limit default and maximum

// events is the Events API: newest first, _cursor/_limit, cursor_next and cursor_previous,
// filters on record fields and date_updated (events never change, so updated = created).
// Cursors hold index bounds, so events added during a walk never shift it: they are newer
// than its start and only cursor_previous reaches them.
func (c *closeAPI) events(w http.ResponseWriter, r *http.Request, t *table) {
	q := r.URL.Query()
	limit, ok := closeInt(w, q.Get("_limit"), "_limit", closeEventLimit, 1, closeEventLimit)
	if !ok {
		return
	}
	preds := c.equal(t, q, false, "object_type", "object_id", "lead_id", "action", "user_id", "request_id")
	v := view{t: t}
	dp, ok := c.dates(w, q, &v, "date_updated")
	if !ok {
		return
	}
	pred, n := all(append(preds, dp...)), t.count()
	dir, pos, err := decodeCloseCursor(q.Get("_cursor"), "n", "p")
	if err != nil {
		closeFieldError(w, "_cursor", "Invalid cursor.")
		return
	}
	var idx []int
	if dir == "p" {
		v := view{t: t, lo: min(pos+1, n), hi: n, pred: pred}
		idx, _ = v.page(0, limit)
		slices.Reverse(idx)
	} else {
		v := view{t: t, hi: n, desc: true, pred: pred}
		if dir == "n" {
			v.hi = min(pos, n)
		}
		idx, _ = v.page(0, limit)
	}
	var next, prev any
	if len(idx) > 0 {
		newest, oldest := idx[0], idx[len(idx)-1]
		if older := (view{t: t, hi: oldest, pred: pred}); older.any() {
			next = encodeCloseCursor("n", oldest)
		}
		if newer := (view{t: t, lo: newest + 1, hi: n, pred: pred}); newer.any() {
			prev = encodeCloseCursor("p", newest)
		}
	}
	if cur := q.Get("_cursor"); cur != "" && c.s.broken(Close, ContractRepeatCursor) {
		next = cur
	}
	if next == nil && c.s.broken(Close, ContractHasMoreForever) {
		next = encodeCloseCursor("n", 0) // older than everything: an empty page, again
	}
	data := c.render(t, idx, "")
	writeJSON(w, http.StatusOK, obj{{"data", data}, {"cursor_next", next}, {"cursor_previous", prev}})
}

func encodeCloseCursor(dir string, pos int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(dir + ":" + strconv.Itoa(pos)))
}

// decodeCloseCursor accepts "" (start) or a cursor whose direction is one of dirs.
func decodeCloseCursor(s string, dirs ...string) (string, int, error) {
	if s == "" {
		return "", 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return "", 0, err
	}
	dir, num, _ := strings.Cut(string(b), ":")
	pos, err := strconv.Atoi(num)
	if err != nil || pos < 0 || !slices.Contains(dirs, dir) {
		return "", 0, fmt.Errorf("bad cursor")
	}
	return dir, pos, nil
}
