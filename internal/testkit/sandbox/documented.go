package sandbox

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/pagewise/pagewise/internal/apispec"
)

// Endpoint is one endpoint the sandbox serves and what its reference documents: the query
// parameters and top-level JSON body fields. Anything else is dropped before the provider
// answers, as a lenient API ignores it, and counted in Stats.Undocumented. Where the
// providers' specs cover the endpoint (internal/apispec, readings included) Query and Body
// are the spec's lists, not the hand-written ones of documented_table.go.
type Endpoint struct {
	Provider string   `json:"provider"`
	Method   string   `json:"method"`
	Path     string   `json:"path"` // pattern; a {name} segment matches any one segment
	Ref      string   `json:"ref"`  // the reference page the lists come from
	Query    []string `json:"query"`
	Body     []string `json:"body,omitempty"`
	// Spec is the spec file (or the reading's reference page) Query and Body come from; ""
	// when no spec covers the endpoint and the hand-written lists stand.
	Spec string `json:"spec,omitempty"`
}

// documented is an Endpoint plus the documented parameters the sandbox cannot honour: a
// request using one gets the provider's 400, never a silent "no effect".
type documented struct {
	Endpoint
	unimplemented []string
}

// fromFacts takes each row's lists from the spec facts where they cover its endpoint. The
// hand-written lists then only say what the sandbox implements: a parameter the facts list
// and the row does not is refused (400) like the row's own unimplemented ones, and one the
// row lists and the facts do not is undocumented.
func fromFacts(rows []documented) []documented {
	for k := range rows {
		d := &rows[k]
		e, ok := apispec.Lookup(d.Provider, d.Method, d.Path)
		if !ok {
			continue
		}
		known := join(d.Query, d.Body)
		query, body := apispec.Names(e.Query), apispec.Names(e.Body)
		var todo []string
		for _, name := range join(query, body) {
			if !slices.Contains(known, name) || slices.Contains(d.unimplemented, name) {
				todo = append(todo, name)
			}
		}
		d.Query, d.unimplemented = query, todo
		if len(body) > 0 || d.Body != nil {
			d.Body = body
		}
		d.Spec = e.Reading
		if doc := e.Doc(); doc != nil {
			d.Spec = doc.File
		}
	}
	return rows
}

// Endpoints lists the documented-parameter table of every endpoint the sandbox serves.
func (s *Server) Endpoints() []Endpoint {
	out := make([]Endpoint, len(s.documented))
	for k, d := range s.documented {
		out[k] = d.Endpoint
		out[k].Query = slices.Clone(d.Query)
		out[k].Body = slices.Clone(d.Body)
	}
	return out
}

// row is the table row for a request, or nil (unknown path or method: the provider's own
// 404/405/301 answers it untouched).
func (s *Server) row(provider string, r *http.Request) *documented {
	for k := range s.documented {
		d := &s.documented[k]
		if d.Provider == provider && d.Method == r.Method && matchPath(d.Path, r.URL.Path) {
			return d
		}
	}
	return nil
}

func matchPath(pattern, path string) bool {
	p, q := strings.Split(pattern, "/"), strings.Split(path, "/")
	if len(p) != len(q) {
		return false
	}
	for k := range p {
		wild := strings.HasPrefix(p[k], "{") && strings.HasSuffix(p[k], "}") && q[k] != ""
		if !wild && p[k] != q[k] {
			return false
		}
	}
	return true
}

// strip removes from r every query parameter and top-level body field d does not document,
// counting each, and returns the first documented-but-unimplemented one the request uses.
func (s *Server) strip(r *http.Request, d *documented) (unimplemented string) {
	key := d.Provider + " " + d.Method + " " + d.Path + " "
	q := r.URL.Query()
	dropped := false
	for name := range q {
		if !slices.Contains(d.Query, name) {
			s.stats.undocumented(key + name)
			q.Del(name)
			dropped = true
		}
	}
	if dropped {
		r.URL.RawQuery = q.Encode()
	}
	if d.Body != nil {
		s.stripBody(r, d, key)
	}
	for _, name := range d.unimplemented {
		if q.Has(name) {
			return name
		}
	}
	return ""
}

// stripBody drops undocumented top-level fields of a JSON object body; any other body is
// left for the provider to refuse.
func (s *Server) stripBody(r *http.Request, d *documented, key string) {
	raw, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	var body map[string]json.RawMessage
	if json.Unmarshal(raw, &body) == nil && body != nil {
		dropped := false
		for name := range body {
			if !slices.Contains(d.Body, name) {
				s.stats.undocumented(key + "body." + name)
				delete(body, name)
				dropped = true
			}
		}
		if dropped {
			raw, _ = json.Marshal(body)
		}
	}
	r.Body = io.NopCloser(bytes.NewReader(raw))
	r.ContentLength = int64(len(raw))
}

// ignored counts a documented parameter the docs say has no effect in this combination.
func (s *Server) ignored(provider, method, path, param string) {
	s.stats.ignored(provider + " " + method + " " + path + " " + param)
}

// checkFacts holds a request to the spec facts of its endpoint and counts in Stats.OffSpec
// every problem but an unlisted name, which strip counts as undocumented.
func (s *Server) checkFacts(provider string, r *http.Request) {
	e, ok := apispec.Lookup(provider, r.Method, r.URL.Path)
	if !ok {
		s.stats.offSpecRequest(provider + " " + r.Method + " " + r.URL.Path + " (no spec or reading has the endpoint)")
		return
	}
	var body map[string]json.RawMessage
	if r.Body != nil && r.Method == http.MethodPost {
		raw, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		r.Body = io.NopCloser(bytes.NewReader(raw))
		if json.Unmarshal(raw, &body) != nil || body == nil {
			body = map[string]json.RawMessage{}
		}
	}
	key := provider + " " + r.Method + " " + e.Path + " "
	for _, p := range e.Check(r.URL.Query(), body) {
		if p.What != "not listed" {
			s.stats.offSpecRequest(key + p.String())
		}
	}
	for _, name := range []string{"fields", "_fields"} {
		if v := r.URL.Query().Get(name); v != "" {
			if left := e.Unasked(v); len(left) > 0 {
				s.stats.narrowedRequest(key + name + " leaves out " + strings.Join(left, ","))
			}
		}
	}
	// Without a selection Clio answers id and etag only (fields guide), and Close's Advanced
	// Filtering ids only.
	if _, selects := e.Param("fields"); provider == Clio && selects && e.List && !r.URL.Query().Has("fields") {
		s.stats.narrowedRequest(key + "fields not sent: only id and etag come back")
	}
	if provider == Close && e.Path == "/api/v1/data/search/" {
		if _, ok := body["_fields"]; !ok {
			s.stats.narrowedRequest(key + "body._fields not sent: only ids come back")
		}
		s.narrowedSearch(key, body)
	}
}

// narrowedSearch: Advanced Filtering's _fields names, per object type, fields of that
// type's records, which the type's list endpoint's facts give (lead, contact).
func (s *Server) narrowedSearch(key string, body map[string]json.RawMessage) {
	var byType map[string][]string
	if json.Unmarshal(body["_fields"], &byType) != nil {
		return
	}
	for _, typ := range slices.Sorted(maps.Keys(byType)) {
		list, ok := apispec.Lookup(Close, http.MethodGet, "/api/v1/"+typ+"/")
		if !ok {
			continue
		}
		if left := list.Unasked(strings.Join(byType[typ], ",")); len(left) > 0 {
			s.stats.narrowedRequest(key + "body._fields." + typ + " leaves out " + strings.Join(left, ","))
		}
	}
}
