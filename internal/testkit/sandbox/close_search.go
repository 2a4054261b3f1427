package sandbox

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"time"
)

const closeSearchLimit = 200 // Advanced Filtering _limit default and maximum

// search is Advanced Filtering, POST /api/v1/data/search/, over leads and contacts. Matches
// come in the order asked for (default: date_created ascending, ties by id); one cursor walk
// returns at most Options.CloseSearchCap results and a cursor lives Options.CloseCursorTTL.
func (c *closeAPI) search(w http.ResponseWriter, r *http.Request) {
	sp, ok := readSearch(w, r)
	if !ok {
		return
	}
	var pos, done int
	if sp.cursor != "" {
		if pos, done, ok = c.openCursor(w, sp); !ok {
			return
		}
	}
	t := c.s.table(Close, sp.objectType)
	v := c.searchView(t, sp)
	limit := c.s.opts.CloseSearchCap
	if sp.resultsLimit > 0 {
		limit = min(limit, sp.resultsLimit)
	}
	idx, next, more := v.resume(pos, min(sp.limit, max(limit-done, 0)))
	done += len(idx)
	var cursor any
	switch {
	case sp.cursor != "" && c.s.broken(Close, ContractRepeatCursor):
		cursor = sp.cursor
	case more && done < limit:
		cursor = c.issueCursor(sp, next, done)
	case c.s.broken(Close, ContractHasMoreForever):
		cursor = c.issueCursor(sp, max(v.hi-v.lo, 0), done) // past the end: empty pages
	}
	out := obj{{"data", c.searchResults(t, idx, sp)}, {"cursor", cursor}}
	if sp.counts {
		out = append(out, kv{"count", obj{{"total", c.searchTotal(&v, sp)}}})
	}
	writeJSON(w, http.StatusOK, out)
}

func readSearch(w http.ResponseWriter, r *http.Request) (*searchSpec, bool) {
	raw, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	var body map[string]json.RawMessage
	if err := json.Unmarshal(raw, &body); err != nil || body == nil {
		closeError(w, http.StatusBadRequest, "Request body must be a JSON object.")
		return nil, false
	}
	sp := &searchSpec{limit: closeSearchLimit}
	if err := sp.read(body); err != nil {
		closeFieldError(w, err.field, err.msg)
		return nil, false
	}
	return sp, true
}

func (sp *searchSpec) read(body map[string]json.RawMessage) *searchError {
	qr, ok := body["query"]
	if !ok || string(qr) == "null" {
		return badField("query", "This field is required.")
	}
	if !bytes.HasPrefix(bytes.TrimSpace(qr), []byte("{")) {
		return badField("query", "Must be a JSON object.")
	}
	if err := sp.parseQuery(qr); err != nil {
		return err
	}
	if err := sp.parseSort(body["sort"]); err != nil {
		return err
	}
	if !bodyInt(body["_limit"], &sp.limit, 1, closeSearchLimit) {
		return badField("_limit", "Ensure this value is between 1 and %d.", closeSearchLimit)
	}
	if !bodyInt(body["results_limit"], &sp.resultsLimit, 1, -1) {
		return badField("results_limit", "Ensure this value is a whole number of at least 1.")
	}
	if fr := body["_fields"]; len(fr) > 0 && string(fr) != "null" {
		var byType map[string][]string
		if json.Unmarshal(fr, &byType) != nil {
			return badField("_fields", `Expected an object like {"lead": ["id", "display_name"]}.`)
		}
		sp.fields = byType[sp.objectType]
	}
	if cr := body["cursor"]; len(cr) > 0 && string(cr) != "null" && json.Unmarshal(cr, &sp.cursor) != nil {
		return badField("cursor", "Invalid cursor.")
	}
	if ir := body["include_counts"]; len(ir) > 0 && string(ir) != "null" && json.Unmarshal(ir, &sp.counts) != nil {
		return badField("include_counts", "Must be a boolean.")
	}
	sp.hash = hashOf(qr, fmt.Appendf(nil, "%q", fmt.Sprint(sp.sortField, sp.desc, sp.limit, sp.resultsLimit)))
	return nil
}

// bodyInt reads an optional JSON integer in [lo, hi] (hi < 0: unbounded) into dst.
func bodyInt(raw json.RawMessage, dst *int, lo, hi int) bool {
	if len(raw) == 0 || string(raw) == "null" {
		return true
	}
	var n int
	if json.Unmarshal(raw, &n) != nil || n < lo || hi >= 0 && n > hi {
		return false
	}
	*dst = n
	return true
}

// searchView orders and filters t as sp asks. Date ranges on the sorted field are position
// ranges (binary searches), so deep pages of a windowed walk cost only their own span.
func (c *closeAPI) searchView(t *table, sp *searchSpec) view {
	v := view{t: t, hi: t.count(), desc: sp.desc}
	if sp.sortField == "date_updated" {
		v.perm = t.byUpdated()
	}
	var preds []func(int) bool
	for _, cd := range sp.conds {
		if c.s.broken(Close, ContractIgnoreWindow) {
			break
		}
		switch {
		case cd.field == "date_created" && v.perm == nil:
			v.lo, v.hi = createdRange(t, cd.op, cd.at, v.lo, v.hi)
		case cd.field == "date_updated" && v.perm != nil:
			v.lo, v.hi = updatedRange(t, v.perm, cd.op, cd.at, v.lo, v.hi)
		default:
			get := func(i int) time.Time { return t.meta(i).updated }
			if cd.field == "date_created" {
				get = t.createdOf
			}
			preds = append(preds, timeOp(cd.op, cd.at, get))
		}
	}
	v.pred = all(preds)
	v.shuffle = sp.sortField != "" && c.s.broken(Close, ContractUnsorted)
	return v
}

// updatedRange is createdRange over perm, which lists indices by (updated, index).
func updatedRange(t *table, perm []int32, op string, at time.Time, lo, hi int) (int, int) {
	first := func(after bool) int {
		return sort.Search(len(perm), func(k int) bool {
			u := t.meta(int(perm[k])).updated
			return u.After(at) || !after && u.Equal(at)
		})
	}
	switch op {
	case "gte":
		lo = max(lo, first(false))
	case "gt":
		lo = max(lo, first(true))
	case "lt":
		hi = min(hi, first(false))
	case "lte":
		hi = min(hi, first(true))
	}
	return lo, max(hi, lo)
}

func (c *closeAPI) searchResults(t *table, idx []int, sp *searchSpec) []obj {
	data := make([]obj, len(idx))
	for k, i := range idx {
		rec := c.record(t, i)
		data[k] = obj{{"__object_type", sp.objectType}, {"id", rec.get("id")}}
		for _, f := range closePick(rec, append([]string{"id"}, sp.fields...)) {
			if f.k != "id" {
				data[k] = append(data[k], f)
			}
		}
	}
	return data
}

// searchTotal counts every match, ignoring the cap; filtered counts are cached.
func (c *closeAPI) searchTotal(v *view, sp *searchSpec) int {
	if v.pred == nil {
		return v.count()
	}
	key := fmt.Sprintf("search-total:%x:%v", sp.hash, c.s.broken(Close, ContractIgnoreWindow))
	return v.t.cached(key, func() any { return v.count() }).(int)
}

// A search cursor carries the request fingerprint, when it was handed out, where the walk
// resumes and how many results it has returned (for the cap).
func (c *closeAPI) issueCursor(sp *searchSpec, pos, done int) string {
	s := fmt.Sprintf("s1:%x:%d:%d:%d", sp.hash, c.s.now().UnixNano(), pos, done)
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

func (c *closeAPI) openCursor(w http.ResponseWriter, sp *searchSpec) (pos, done int, ok bool) {
	var hash uint64
	var issued int64
	b, err := base64.RawURLEncoding.DecodeString(sp.cursor)
	if err == nil {
		_, err = fmt.Sscanf(string(b), "s1:%x:%d:%d:%d", &hash, &issued, &pos, &done)
	}
	switch {
	case err != nil || pos < 0 || done < 0:
		closeFieldError(w, "cursor", "Invalid cursor.")
	case hash != sp.hash:
		closeFieldError(w, "cursor", "This cursor belongs to a different query, sort or _limit. Start a new search.")
	case c.s.now().Sub(time.Unix(0, issued)) > c.s.opts.CloseCursorTTL:
		closeError(w, http.StatusBadRequest, "Cursor has expired. Start a new search.")
	default:
		return pos, done, true
	}
	return 0, 0, false
}
