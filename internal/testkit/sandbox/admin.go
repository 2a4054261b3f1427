package sandbox

import (
	"bufio"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// serveAdmin answers /_sandbox/: stats, ids, endpoints, insert, touch, fail and break. Admin requests need no
// credential and are not counted in Stats.
func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	method := http.MethodPost
	switch r.URL.Path {
	case "/_sandbox/", "/_sandbox/stats", "/_sandbox/ids", "/_sandbox/endpoints":
		method = http.MethodGet
	}
	if r.Method != method {
		http.Error(w, "use "+method, http.StatusMethodNotAllowed)
		return
	}
	provider, resource := q.Get("provider"), q.Get("resource")
	n := 1
	if v := q.Get("n"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			http.Error(w, "n must be a positive integer", http.StatusBadRequest)
			return
		}
	}
	needTable := func() bool {
		if s.table(provider, resource) == nil {
			http.Error(w, fmt.Sprintf("unknown provider/resource %q/%q", provider, resource), http.StatusBadRequest)
			return false
		}
		return true
	}
	switch r.URL.Path {
	case "/_sandbox/":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "pagewise sandbox. Admin: GET stats, GET ids?provider=&resource=, POST insert|touch?provider=&resource=&n=, POST fail?provider=&fault=&n=, POST break?provider=&contract=a,b (empty clears), GET endpoints")
		for _, p := range []string{Clio, Attio, Close, Clever} {
			fmt.Fprintf(w, "%s: %s (token %q)\n", p, strings.Join(s.Resources(p), ", "), s.token(p))
		}
	case "/_sandbox/stats":
		writeJSON(w, http.StatusOK, s.Stats())
	case "/_sandbox/endpoints":
		writeJSON(w, http.StatusOK, s.Endpoints())
	case "/_sandbox/break":
		s.serveBreak(w, provider, q.Get("contract"))
	case "/_sandbox/ids":
		if !needTable() {
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		bw := bufio.NewWriter(w)
		s.ids(provider, resource, func(id string) { bw.WriteString(id); bw.WriteByte('\n') })
		bw.Flush()
	case "/_sandbox/insert", "/_sandbox/touch":
		if !needTable() {
			return
		}
		var ids []string
		if strings.HasSuffix(r.URL.Path, "insert") {
			ids = s.Insert(provider, resource, n)
		} else {
			ids = s.Touch(provider, resource, n)
		}
		writeJSON(w, http.StatusOK, obj{{"ids", ids}})
	case "/_sandbox/fail":
		f := Fault(q.Get("fault"))
		if s.apis[provider] == nil || !slices.Contains(AllFaults, f) {
			http.Error(w, fmt.Sprintf("need provider (clio, attio, close, clever) and fault (429, 5xx, timeout, truncate, drop); got %q, %q", provider, f), http.StatusBadRequest)
			return
		}
		s.FailNext(provider, f, n)
		writeJSON(w, http.StatusOK, obj{{"provider", provider}, {"fault", f}, {"n", n}})
	default:
		http.NotFound(w, r)
	}
}

// serveBreak sets the broken contracts of one provider, or of all when provider is empty.
func (s *Server) serveBreak(w http.ResponseWriter, provider, list string) {
	contracts := []Contract{}
	for _, c := range strings.Split(list, ",") {
		if c = strings.TrimSpace(c); c == "" {
			continue
		}
		if !slices.Contains(AllContracts, Contract(c)) {
			http.Error(w, fmt.Sprintf("unknown contract %q; known: %v", c, AllContracts), http.StatusBadRequest)
			return
		}
		contracts = append(contracts, Contract(c))
	}
	providers := []string{provider}
	if provider == "" {
		providers = []string{Clio, Attio, Close, Clever}
	} else if s.apis[provider] == nil {
		http.Error(w, fmt.Sprintf("unknown provider %q", provider), http.StatusBadRequest)
		return
	}
	for _, p := range providers {
		s.Break(p, contracts...)
	}
	writeJSON(w, http.StatusOK, obj{{"providers", providers}, {"contracts", contracts}})
}
