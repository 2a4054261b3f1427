package sandbox

import (
	"encoding/json"
	"slices"
	"sync"
)

// servedLog remembers, per provider, the id of every record a 200 answer carried, in the
// order served, when Options.LogServed is set: a test can then tell which records a run
// asked for again.
type servedLog struct {
	mu    sync.Mutex
	pages map[string][][]string
}

func (l *servedLog) add(provider string, ids []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.pages == nil {
		l.pages = map[string][][]string{}
	}
	l.pages[provider] = append(l.pages[provider], ids)
}

// ServedPages is the record ids of every successful answer provider has given so far, one
// slice an answer, in order (Options.LogServed must be set).
func (s *Server) ServedPages(provider string) [][]string {
	s.served.mu.Lock()
	defer s.served.mu.Unlock()
	return slices.Clone(s.served.pages[provider])
}

// ServedIDs is ServedPages flattened: a record served twice appears twice.
func (s *Server) ServedIDs(provider string) []string {
	var ids []string
	for _, p := range s.ServedPages(provider) {
		ids = append(ids, p...)
	}
	return ids
}

// logServed records the ids in a {"data": [...]} answer, the shape every provider's list
// endpoints share.
func (s *Server) logServed(provider string, a api, body []byte) {
	var page struct {
		Data []map[string]json.RawMessage `json:"data"`
	}
	if json.Unmarshal(body, &page) != nil {
		return
	}
	ids := make([]string, 0, len(page.Data))
	for _, rec := range page.Data {
		if id := a.idOf(rec); id != "" {
			ids = append(ids, id)
		}
	}
	s.served.add(provider, ids)
}

// SetToken replaces the credential provider accepts, as revoking or rotating a key does.
func (s *Server) SetToken(provider, token string) {
	s.tokenMu.Lock()
	defer s.tokenMu.Unlock()
	s.tokens[provider] = token
}

func (s *Server) token(provider string) string {
	s.tokenMu.Lock()
	defer s.tokenMu.Unlock()
	return s.tokens[provider]
}

// ClearFaults drops the faults FailNext queued for provider.
func (s *Server) ClearFaults(provider string) {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	delete(s.pending, provider)
}
