package sandbox

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

const (
	closeEventLimit  = 50  // Events API _limit default and maximum
	closeSearchLimit = 200 // Advanced Filtering _limit maximum
)

// events is the Events API: newest first, _cursor/_limit, cursor_next and cursor_previous.
// Cursors hold index bounds, so events added during a walk never shift it: they are newer
// than its start and only cursor_previous reaches them.
func (c *closeAPI) events(w http.ResponseWriter, r *http.Request, t *table) {
	q := r.URL.Query()
	limit, ok := closeInt(w, q.Get("_limit"), "_limit", closeEventLimit, 1, closeEventLimit)
	if !ok {
		return
	}
	var preds []func(int) bool
	for _, f := range []string{"object_type", "action", "lead_id"} {
		if q.Has(f) {
			want := q.Get(f)
			preds = append(preds, func(i int) bool { return c.record(t, i).get(f) == want })
		}
	}
	pred, n := all(preds), t.count()
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
	data := c.render(t, idx, "")
	writeJSON(w, http.StatusOK, obj{{"data", data}, {"cursor_next", next}, {"cursor_previous", prev}})
}

// search is Advanced Filtering over leads: POST {"query":{...},"_limit":N,"cursor":...}.
// Any JSON object is accepted as the query and matches every lead. Results carry only
// __object_type and id unless _fields asks for more, as Close's do.
func (c *closeAPI) search(w http.ResponseWriter, r *http.Request) {
	t := c.s.table(Close, "lead")
	raw, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	var body map[string]json.RawMessage
	if err := json.Unmarshal(raw, &body); err != nil || body == nil {
		closeError(w, http.StatusBadRequest, "Request body must be a JSON object.")
		return
	}
	var query map[string]json.RawMessage
	qr, ok := body["query"]
	if !ok {
		closeFieldError(w, "query", "This field is required.")
		return
	}
	if !bytes.HasPrefix(bytes.TrimSpace(qr), []byte("{")) || json.Unmarshal(qr, &query) != nil {
		closeFieldError(w, "query", "Must be a JSON object.")
		return
	}
	limit := closeSearchLimit
	if lr, ok := body["_limit"]; ok && string(lr) != "null" {
		var n int
		if json.Unmarshal(lr, &n) != nil || n < 1 || n > closeSearchLimit {
			closeFieldError(w, "_limit", fmt.Sprintf("Ensure this value is between 1 and %d.", closeSearchLimit))
			return
		}
		limit = n
	}
	if sr, ok := body["sort"]; ok {
		var sorts []json.RawMessage
		if json.Unmarshal(sr, &sorts) != nil || len(sorts) > 0 {
			closeFieldError(w, "sort", "The sandbox supports only the default order.")
			return
		}
	}
	var fields []string
	if fr, ok := body["_fields"]; ok && string(fr) != "null" {
		var byType map[string][]string
		if json.Unmarshal(fr, &byType) != nil {
			closeFieldError(w, "_fields", `Expected an object like {"lead": ["id", "display_name"]}.`)
			return
		}
		fields = byType["lead"]
	}
	var cursor string
	if cr, ok := body["cursor"]; ok && string(cr) != "null" {
		if json.Unmarshal(cr, &cursor) != nil {
			closeFieldError(w, "cursor", "Invalid cursor.")
			return
		}
	}
	_, from, err := decodeCloseCursor(cursor, "s")
	if err != nil {
		closeFieldError(w, "cursor", "Invalid cursor.")
		return
	}
	v := view{t: t, lo: min(from, t.count()), hi: t.count()}
	idx, more := v.page(0, limit)
	data := make([]obj, len(idx))
	for k, i := range idx {
		rec := c.record(t, i)
		data[k] = obj{{"__object_type", "lead"}, {"id", rec.get("id")}}
		for _, f := range rec.pick(fields) {
			if f.k != "id" {
				data[k] = append(data[k], f)
			}
		}
	}
	var next any
	if more {
		next = encodeCloseCursor("s", idx[len(idx)-1]+1)
	}
	writeJSON(w, http.StatusOK, obj{{"data", data}, {"cursor", next}})
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
