package sandbox

import (
	"maps"
	"sync"
	"time"
)

// Stats is a snapshot of what the sandbox served, per provider.
type Stats struct {
	Providers map[string]ProviderStats `json:"providers"`
	// Undocumented counts query parameters and top-level body fields the endpoint's reference
	// does not list, which the sandbox dropped unread. Key: "<provider> <METHOD> <path
	// pattern> <param>", body fields as "body.<field>", e.g. "close GET /api/v1/lead/ _order_by".
	Undocumented map[string]int `json:"undocumented"`
	// Ignored counts documented parameters sent where the docs say they have no effect (e.g.
	// Close activity _type without lead_id). Same keys as Undocumented.
	Ignored map[string]int `json:"ignored"`
	// OffSpec counts requests the spec facts (internal/apispec) refuse beyond an unlisted
	// name: a value outside the enum, of the wrong type or over a limit, a required parameter
	// not sent, a field selection naming a field the record lacks, or an endpoint no spec or
	// reading has. Key: "<provider> <METHOD> <path pattern> <param>: <problem>".
	OffSpec map[string]int `json:"off_spec"`
	// Narrowed counts requests whose field selection (fields, _fields) leaves out fields the
	// spec's record has: right when an export's input named fields, a gap in a default
	// export. Key: "<provider> <METHOD> <path pattern> <param> leaves out <a,b,…>".
	Narrowed map[string]int `json:"narrowed"`
}

// ProviderStats counts one provider's data requests (admin endpoints are not counted).
type ProviderStats struct {
	Requests int64 `json:"requests"`
	// ByStatus counts answers by HTTP status; dropped connections and requests whose client
	// left during a timeout fault have no status and are absent.
	ByStatus map[int]int64 `json:"by_status"`
	// RateLimited counts 429 answers, whether from the budget or an injected fault.
	RateLimited int64 `json:"rate_limited"`
	// OverBudget counts 429s caused by Options.Budget alone.
	OverBudget int64 `json:"over_budget"`
	// OverScore counts 429s caused by Options.AttioScoreBudget.
	OverScore int64 `json:"over_score"`
	// Faults counts injected faults by kind.
	Faults map[Fault]int64 `json:"faults"`
	// MaxPerSecond is, per credential presented ("(none)" for none), the most requests seen
	// in any trailing one-second window (all requests, including rejected ones).
	MaxPerSecond map[string]int `json:"max_per_second"`
	// ByCredential counts requests per credential presented, like MaxPerSecond.
	ByCredential map[string]int64 `json:"by_credential"`
}

type statsBook struct {
	mu          sync.Mutex
	p           map[string]*ProviderStats
	recent      map[string][]time.Time // provider\x00credential -> arrivals in the last second
	undocParams map[string]int
	ignoredDoc  map[string]int
	offSpec     map[string]int
	narrowed    map[string]int
}

func newStatsBook() *statsBook {
	return &statsBook{p: map[string]*ProviderStats{}, recent: map[string][]time.Time{},
		undocParams: map[string]int{}, ignoredDoc: map[string]int{}, offSpec: map[string]int{},
		narrowed: map[string]int{}}
}

func (b *statsBook) get(provider string) *ProviderStats {
	ps := b.p[provider]
	if ps == nil {
		ps = &ProviderStats{ByStatus: map[int]int64{}, Faults: map[Fault]int64{}, MaxPerSecond: map[string]int{}, ByCredential: map[string]int64{}}
		b.p[provider] = ps
	}
	return ps
}

func (b *statsBook) request(provider, cred string, now time.Time) {
	if cred == "" {
		cred = "(none)"
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	ps := b.get(provider)
	ps.Requests++
	ps.ByCredential[cred]++
	key := provider + "\x00" + cred
	log := append(expire(b.recent[key], now, time.Second), now)
	b.recent[key] = log
	ps.MaxPerSecond[cred] = max(ps.MaxPerSecond[cred], len(log))
}

func (b *statsBook) status(provider string, code int) {
	if code == 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	ps := b.get(provider)
	ps.ByStatus[code]++
	if code == 429 {
		ps.RateLimited++
	}
}

func (b *statsBook) fault(provider string, f Fault) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.get(provider).Faults[f]++
}

func (b *statsBook) overBudget(provider string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.get(provider).OverBudget++
}

func (b *statsBook) overScore(provider string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.get(provider).OverScore++
}

func (b *statsBook) undocumented(key string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.undocParams[key]++
}

func (b *statsBook) ignored(key string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.ignoredDoc[key]++
}

func (b *statsBook) offSpecRequest(key string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.offSpec[key]++
}

func (b *statsBook) narrowedRequest(key string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.narrowed[key]++
}

func (b *statsBook) snapshot() Stats {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := Stats{Providers: map[string]ProviderStats{},
		Undocumented: maps.Clone(b.undocParams), Ignored: maps.Clone(b.ignoredDoc), OffSpec: maps.Clone(b.offSpec),
		Narrowed: maps.Clone(b.narrowed)}
	for name, ps := range b.p {
		c := *ps
		c.ByStatus, c.Faults, c.MaxPerSecond = map[int]int64{}, map[Fault]int64{}, map[string]int{}
		for k, v := range ps.ByStatus {
			c.ByStatus[k] = v
		}
		for k, v := range ps.Faults {
			c.Faults[k] = v
		}
		for k, v := range ps.MaxPerSecond {
			c.MaxPerSecond[k] = v
		}
		c.ByCredential = maps.Clone(ps.ByCredential)
		out.Providers[name] = c
	}
	return out
}
