package sandbox

import (
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"
)

type attioErr struct {
	StatusCode int    `json:"status_code"`
	Type       string `json:"type"`
	Code       string `json:"code"`
	Message    string `json:"message"`
}

func TestAttioQueryExactMultipleEndsOnEmptyPage(t *testing.T) {
	s, ts := start(t, Options{Sizes: map[string]int{"attio/people": 1000}})
	url := ts.URL + "/v2/objects/people/records/query"
	var sizes []int
	var ids []string
	for offset := 0; ; offset += 500 {
		var p map[string]json.RawMessage
		call(t, "POST", url, attioAuth, map[string]any{"limit": 500, "offset": offset}).decode(t, 200, &p)
		if len(p) != 1 {
			t.Fatalf("response keys %v: Attio has no has-more flag, only data", p)
		}
		var data []json.RawMessage
		json.Unmarshal(p["data"], &data)
		sizes = append(sizes, len(data))
		ids = append(ids, idsOf(s, Attio, data)...)
		if len(data) < 500 {
			break
		}
	}
	if len(sizes) != 3 || sizes[0] != 500 || sizes[1] != 500 || sizes[2] != 0 {
		t.Fatalf("page sizes %v, want [500 500 0]", sizes)
	}
	sameStrings(t, ids, idsOf(s, Attio, s.Dataset(Attio, "people")))

	// Default limit is 500 and an empty body is fine.
	var p struct{ Data []json.RawMessage }
	call(t, "POST", url, attioAuth, nil).decode(t, 200, &p)
	if len(p.Data) != 500 {
		t.Errorf("default limit gave %d records, want 500", len(p.Data))
	}
}

func TestAttioNotesOffsetGET(t *testing.T) {
	s, ts := start(t, Options{Sizes: map[string]int{"attio/notes": 120}})
	var sizes []int
	var ids []string
	for offset := 0; ; offset += 50 {
		var p struct{ Data []json.RawMessage }
		get(t, ts.URL+"/v2/notes?limit=50&offset="+strconv.Itoa(offset), attioAuth).decode(t, 200, &p)
		sizes = append(sizes, len(p.Data))
		ids = append(ids, idsOf(s, Attio, p.Data)...)
		if len(p.Data) < 50 {
			break
		}
	}
	if len(sizes) != 3 || sizes[2] != 20 {
		t.Fatalf("page sizes %v, want [50 50 20]", sizes)
	}
	sameStrings(t, ids, idsOf(s, Attio, s.Dataset(Attio, "notes")))
	var p struct{ Data []json.RawMessage }
	get(t, ts.URL+"/v2/notes", attioAuth).decode(t, 200, &p)
	if len(p.Data) != 10 {
		t.Errorf("default notes limit gave %d, want 10", len(p.Data))
	}
	var e attioErr
	get(t, ts.URL+"/v2/notes?limit=51", attioAuth).decode(t, 400, &e)
	if e.StatusCode != 400 || e.Type != "invalid_request_error" || e.Code != "validation_type" {
		t.Errorf("limit 51: got %+v", e)
	}
}

func TestAttioMeetingsCursor(t *testing.T) {
	s, ts := start(t, Options{Sizes: map[string]int{"attio/meetings": 450}})
	var ids []string
	cursor, pages := "", 0
	for {
		u := ts.URL + "/v2/meetings?limit=200"
		if cursor != "" {
			u += "&cursor=" + cursor
		}
		var p struct {
			Data       []json.RawMessage
			Pagination struct {
				NextCursor *string `json:"next_cursor"`
			}
		}
		get(t, u, attioAuth).decode(t, 200, &p)
		pages++
		ids = append(ids, idsOf(s, Attio, p.Data)...)
		if p.Pagination.NextCursor == nil {
			break
		}
		cursor = *p.Pagination.NextCursor
	}
	if pages != 3 {
		t.Errorf("pages = %d, want 3", pages)
	}
	sameStrings(t, ids, idsOf(s, Attio, s.Dataset(Attio, "meetings")))
	var e attioErr
	get(t, ts.URL+"/v2/meetings?limit=100&cursor="+cursor, attioAuth).decode(t, 400, &e)
	get(t, ts.URL+"/v2/meetings?limit=201", attioAuth).decode(t, 400, &e)
}

func TestAttioFilter(t *testing.T) {
	s, ts := start(t, Options{Sizes: map[string]int{"attio/deals": 1000}})
	url := ts.URL + "/v2/objects/deals/records/query"
	all := s.Dataset(Attio, "deals")
	var rec struct {
		CreatedAt string `json:"created_at"`
	}
	json.Unmarshal(all[600], &rec)
	var p struct{ Data []json.RawMessage }
	call(t, "POST", url, attioAuth, map[string]any{"filter": map[string]any{"created_at": map[string]string{"$gte": rec.CreatedAt}}}).decode(t, 200, &p)
	sameStrings(t, idsOf(s, Attio, p.Data), idsOf(s, Attio, all[600:]))
	call(t, "POST", url, attioAuth, map[string]any{"filter": map[string]any{"created_at": map[string]string{"$lt": rec.CreatedAt}},
		"sorts": []map[string]string{{"attribute": "created_at", "direction": "desc"}}}).decode(t, 200, &p)
	if len(p.Data) != 500 || s.IDOf(Attio, p.Data[0]) != s.IDOf(Attio, all[599]) {
		t.Errorf("$lt with desc sort: %d records starting %s", len(p.Data), s.IDOf(Attio, p.Data[0]))
	}
	id := s.IDOf(Attio, all[7])
	call(t, "POST", url, attioAuth, map[string]any{"filter": map[string]any{"record_id": id}}).decode(t, 200, &p)
	if len(p.Data) != 1 || s.IDOf(Attio, p.Data[0]) != id {
		t.Errorf("record_id equality gave %d records", len(p.Data))
	}
	for _, bad := range []any{
		"created_at", []any{1}, map[string]any{"created_at": map[string]string{"$near": "x"}},
		map[string]any{"created_at": map[string]string{"$gte": "not a time"}},
		map[string]any{"$or": []any{}}, map[string]any{"favourite_colour": "blue"},
	} {
		var e attioErr
		call(t, "POST", url, attioAuth, map[string]any{"filter": bad}).decode(t, 400, &e)
		if e.StatusCode != 400 || e.Type != "invalid_request_error" || e.Code != "validation_type" {
			t.Errorf("filter %v: got %+v", bad, e)
		}
	}
	var e attioErr
	call(t, "POST", url, attioAuth, map[string]any{"limit": 501}).decode(t, 400, &e)
	call(t, "POST", ts.URL+"/v2/objects/widgets/records/query", attioAuth, nil).decode(t, 404, &e)
	get(t, ts.URL+"/v2/notes", nil).decode(t, 401, &e)
	if e.Type != "auth_error" || e.Code != "unauthorized" || e.StatusCode != 401 {
		t.Errorf("401: got %+v", e)
	}
}

func TestAttio429RetryAfterIsAnHTTPDate(t *testing.T) {
	s, ts := start(t, Options{Records: 3})
	s.FailNext(Attio, FaultRateLimit, 1)
	before := time.Now()
	r := get(t, ts.URL+"/v2/notes", attioAuth)
	var e attioErr
	r.decode(t, 429, &e)
	if e.Type != "rate_limit_error" || e.StatusCode != 429 {
		t.Errorf("429 body %+v", e)
	}
	ra := r.header.Get("Retry-After")
	if _, err := strconv.Atoi(ra); err == nil {
		t.Fatalf("Retry-After %q is seconds; Attio sends an HTTP date", ra)
	}
	at, err := http.ParseTime(ra)
	if err != nil {
		t.Fatalf("Retry-After %q is not an HTTP date: %v", ra, err)
	}
	if at.Before(before.Add(time.Second).Truncate(time.Second)) {
		t.Errorf("Retry-After %v is earlier than the 1s delay", at)
	}
	// The fault was one-shot.
	get(t, ts.URL+"/v2/notes", attioAuth).decode(t, 200, &struct{}{})
}
