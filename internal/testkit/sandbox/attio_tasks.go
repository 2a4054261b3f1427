package sandbox

import (
	"net/http"
	"slices"
	"strconv"
)

// tasks is offset paging with query parameters: default limit 500 and, the reference giving
// no maximum, 500 at most (the stricter reading); sort created_at:asc (the default) or
// :desc; the is_completed and linked_object/linked_record_id filters. assignee is refused
// by the pipeline as documented but not implemented.
func (a *attio) tasks(w http.ResponseWriter, r *http.Request, t *table) {
	q := r.URL.Query()
	limit, ok := attioInt(w, q.Get("limit"), "limit", 500, 1, 500)
	if !ok {
		return
	}
	offset, ok := attioInt(w, q.Get("offset"), "offset", 0, 0, -1)
	if !ok {
		return
	}
	sort := q.Get("sort")
	if q.Has("sort") && sort != "created_at:asc" && sort != "created_at:desc" {
		attioError(w, http.StatusBadRequest, "invalid_request_error", "validation_type", "sort must be created_at:asc or created_at:desc")
		return
	}
	preds, msg := a.taskFilters(t, q.Get, q.Has)
	if msg != "" {
		attioError(w, http.StatusBadRequest, "invalid_request_error", "validation_type", msg)
		return
	}
	v := view{t: t, hi: t.count(), pred: all(preds), desc: sort == "created_at:desc"}
	v.shuffle = a.s.broken(Attio, ContractUnsorted) // the order is documented even without sort
	a.write(w, t, a.offsetPage(&v, offset, limit), nil)
}

// taskFilters turns the documented filters into predicates, or says what is wrong.
func (a *attio) taskFilters(t *table, get func(string) string, has func(string) bool) ([]func(int) bool, string) {
	var preds []func(int) bool
	if has("is_completed") {
		want, err := strconv.ParseBool(get("is_completed"))
		if err != nil {
			return nil, "is_completed must be true or false"
		}
		preds = append(preds, func(i int) bool { return a.record(t, i).get("is_completed") == want })
	}
	if has("linked_object") != has("linked_record_id") {
		return nil, "linked_object and linked_record_id must be provided together"
	}
	if has("linked_object") {
		object, id := get("linked_object"), get("linked_record_id")
		preds = append(preds, func(i int) bool {
			links := a.record(t, i).get("linked_records").([]obj)
			return slices.ContainsFunc(links, func(l obj) bool {
				return l.get("target_object_id") == object && l.get("target_record_id") == id
			})
		})
	}
	return preds, ""
}

// members answers GET /v2/workspace_members: every member in one answer, no paging.
func (a *attio) members(w http.ResponseWriter, _ *http.Request, t *table) {
	v := view{t: t, hi: t.count()}
	idx, _ := v.page(0, t.count())
	a.write(w, t, idx, nil)
}
