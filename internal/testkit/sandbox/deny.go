package sandbox

import (
	"net/http"
	"strings"
)

// Deny makes every data request of provider whose path starts with pathPrefix answer
// 403, as an API does for a token without that resource's scope. Allow lifts it.
func (s *Server) Deny(provider, pathPrefix string) {
	s.tokenMu.Lock()
	defer s.tokenMu.Unlock()
	if s.denied == nil {
		s.denied = map[string]bool{}
	}
	s.denied[provider+"\x00"+pathPrefix] = true
}

// Allow lifts a Deny.
func (s *Server) Allow(provider, pathPrefix string) {
	s.tokenMu.Lock()
	defer s.tokenMu.Unlock()
	delete(s.denied, provider+"\x00"+pathPrefix)
}

func (s *Server) isDenied(provider string, r *http.Request) bool {
	s.tokenMu.Lock()
	defer s.tokenMu.Unlock()
	for k := range s.denied {
		p, prefix, _ := strings.Cut(k, "\x00")
		if p == provider && strings.HasPrefix(r.URL.Path, prefix) {
			return true
		}
	}
	return false
}

func forbidden(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusForbidden)
	_, _ = w.Write([]byte(`{"error":"this token may not read this resource"}`))
}
