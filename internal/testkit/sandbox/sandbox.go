package sandbox

import (
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Fault is a failure the sandbox can inject into a data request.
type Fault string

// The faults the sandbox knows.
const (
	FaultRateLimit Fault = "429"      // the provider's own 429 shape with a short delay
	FaultServer    Fault = "5xx"      // 500 (provider JSON) or 502/503 (gateway HTML)
	FaultTimeout   Fault = "timeout"  // hold until Options.TimeoutHold or the client gives up, then 504
	FaultTruncate  Fault = "truncate" // a 200 with the full Content-Length but half the body, then close
	FaultDrop      Fault = "drop"     // close the connection without answering
)

// AllFaults is the default set used by Options.FaultRate.
var AllFaults = []Fault{FaultRateLimit, FaultServer, FaultTimeout, FaultTruncate, FaultDrop}

// Provider names.
const (
	Clio   = "clio"
	Attio  = "attio"
	Close  = "close"
	Clever = "clever"
)

// CleverUserToken is the default Clever SSO user token: accepted, but answered with HTML.
const CleverUserToken = "sandbox-clever-user-token"

// Options configures a Server. The zero value is usable.
type Options struct {
	Records     int            // records per resource (0: default 1000; negative: none)
	Sizes       map[string]int // per "provider/resource" override; 0 is a valid (empty) size
	Seed        int64
	Latency     time.Duration // added to every data request
	FaultRate   float64       // fraction of data requests answered with a random fault from Faults
	Faults      []Fault       // default: AllFaults
	TimeoutHold time.Duration // how long FaultTimeout holds a request (default 3s)
	Budget      float64       // requests per second per credential; 0 = unlimited (see limiter)
	Tokens      map[string]string
	// MoreTokens are further credentials a provider accepts: other accounts' tokens with
	// the same data, each held to its own Budget.
	MoreTokens   map[string][]string
	CloseMaxSkip int              // largest accepted Close _skip (default 250000)
	CloseTieRun  int              // consecutive Close records sharing one date_created (default 50)
	Now          func() time.Time // clock for inserted/touched timestamps and rate limits
	// CleverUserTokens are Clever SSO user tokens: they authenticate, but every data request
	// gets an HTML page with status 200, as the docs warn a wrong token type can. Default
	// {CleverUserToken}.
	CleverUserTokens []string

	// CloseSearchCap is the most results one Advanced Filtering cursor walk returns; then
	// cursor is null even if more match (default 10000, as reported by public connectors).
	CloseSearchCap int
	// CloseCursorTTL is how long an Advanced Filtering cursor lives after it is handed out,
	// measured with Now (default 30s); an older one is a 400.
	CloseCursorTTL time.Duration
	// CloseRateLimitSemicolons sends Close's RateLimit header as "limit=N; remaining=N;
	// reset=N" instead of the comma form; both are seen in the wild.
	CloseRateLimitSemicolons bool
	// AttioScoreBudget is the summed complexity score of records queries one token may spend
	// in any 10-second window (see attio_score.go); 0 turns the score limit off.
	AttioScoreBudget int
	// AttioQueryScoreLimit is the per-query limit: a records or entries query scoring more is
	// refused with Attio's 429 whatever the window holds. 0 means AttioScoreBudget.
	AttioQueryScoreLimit int
	// ClioOmitTotal leaves meta.records out of Clio answers.
	ClioOmitTotal bool
	// ClioRefusedFields are fields the account does not have (region- or plan-specific ones
	// such as legal_aid_uk_contact): a request naming one gets Clio's 400 naming it, and
	// whole records leave them out.
	ClioRefusedFields []string
	// ClioUnorderedOffset pages the index actions that document no order (calendar entries,
	// relationships) by offset when a request sends no offset: next links carry offset,
	// capped at 10,000 records, instead of page_token.
	ClioUnorderedOffset bool
	// Crowd, between 0 and 1, puts every generated record's creation time in the middle
	// Crowd of the five years records span (0: spread over all of it): a skewed dataset,
	// whose equal spans of time hold very different numbers of records.
	Crowd float64
	// LogServed keeps the id of every record served (ServedIDs), for tests that must tell
	// which records a run fetched again.
	LogServed bool
	// Broken lists contracts every provider breaks (see Contract); Break overrides it per
	// provider at run time.
	Broken []Contract
}

// DefaultToken is the credential a provider accepts unless Options.Tokens says otherwise. For
// Close it is the API key (the Basic user name, empty password).
func DefaultToken(provider string) string { return "sandbox-" + provider + "-token" }

// api is one provider's behaviour. The shared pipeline (stats, auth, faults, budget, latency)
// lives in Server.serveData; an api only speaks its own wire format.
type api interface {
	resources() []string
	credential(r *http.Request) string
	serve(w http.ResponseWriter, r *http.Request)
	unauthorized(w http.ResponseWriter)
	rateLimited(w http.ResponseWriter, rs rateState)
	rateHeaders(w http.ResponseWriter, rs rateState)
	serverError(w http.ResponseWriter, status int)
	// unsupported refuses a documented parameter the sandbox does not implement (a 400).
	unsupported(w http.ResponseWriter, param string)
	// record is a record with every field (for Clever the inner data object).
	record(t *table, i int) obj
	// newestFirst reports whether the natural (default API) order is descending.
	newestFirst(t *table) bool
	idOf(rec map[string]json.RawMessage) string
}

// Server is the sandbox. It is safe for concurrent use.
type Server struct {
	opts    Options
	now     func() time.Time
	start   time.Time // generated timestamps fall in [start, end)
	end     time.Time
	tokenMu sync.Mutex // guards tokens, which SetToken changes
	tokens  map[string]string
	more    map[string]bool // provider + "\x00" + token of Options.MoreTokens
	denied  map[string]bool // provider + "\x00" + path prefix (Deny)
	served  servedLog
	users   map[string]bool // Clever user tokens

	apis     map[string]api
	prefixes []prefixRoute

	mu     sync.RWMutex // guards the mutable parts of tables (inserted and touched records)
	tables map[string]*table

	faultMu sync.Mutex
	rng     *rand.Rand
	pending map[string][]pendingFault

	limiter *limiter
	stats   *statsBook
	scores  *scoreBook

	documented []documented
	brokenBy   map[string][]Contract // Break overrides, guarded by faultMu
}

type prefixRoute struct {
	prefix, provider string
}

type pendingFault struct {
	fault Fault
	n     int
}

// New builds a Server. Records are generated on demand from (Seed, provider, resource, index),
// so a million records per resource cost almost no memory.
func New(opts Options) *Server {
	if opts.Records == 0 {
		opts.Records = 1000
	}
	if opts.Faults == nil {
		opts.Faults = AllFaults
	}
	if opts.TimeoutHold == 0 {
		opts.TimeoutHold = 3 * time.Second
	}
	if opts.CloseMaxSkip == 0 {
		opts.CloseMaxSkip = 250000
	}
	if opts.CloseTieRun <= 0 {
		opts.CloseTieRun = 50
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.CleverUserTokens == nil {
		opts.CleverUserTokens = []string{CleverUserToken}
	}
	if opts.CloseSearchCap <= 0 {
		opts.CloseSearchCap = 10000
	}
	if opts.CloseCursorTTL <= 0 {
		opts.CloseCursorTTL = 30 * time.Second
	}
	opts.Broken = slices.Clone(opts.Broken)
	s := &Server{
		opts:    opts,
		now:     opts.Now,
		tokens:  map[string]string{},
		more:    map[string]bool{},
		users:   map[string]bool{},
		tables:  map[string]*table{},
		rng:     rand.New(rand.NewPCG(uint64(opts.Seed), 0x5eed)),
		pending: map[string][]pendingFault{},
		limiter: newLimiter(opts.Budget),
		stats:   newStatsBook(),
		scores:  newScoreBook(opts.AttioScoreBudget, opts.AttioQueryScoreLimit),

		brokenBy: map[string][]Contract{},
	}
	// A fixed end keeps data identical between runs; only a clock set before 2025 moves it.
	s.end = genEnd
	if n := opts.Now().UTC().Add(-24 * time.Hour); n.Before(s.end) {
		s.end = n
	}
	s.start = s.end.Add(-5 * 365 * 24 * time.Hour)
	for _, p := range []string{Clio, Attio, Close, Clever} {
		s.tokens[p] = DefaultToken(p)
		if tok, ok := opts.Tokens[p]; ok {
			s.tokens[p] = tok
		}
	}
	for p, toks := range opts.MoreTokens {
		for _, tok := range toks {
			s.more[p+"\x00"+tok] = true
		}
	}
	for _, tok := range opts.CleverUserTokens {
		s.users[tok] = true
	}
	s.apis = map[string]api{
		Clio:   newClio(s),
		Attio:  newAttio(s),
		Close:  newCloseAPI(s),
		Clever: newClever(s),
	}
	s.prefixes = []prefixRoute{
		{"/api/v4/", Clio}, {"/api/v1/", Close}, {"/v2/", Attio}, {"/v3.0/", Clever}, {"/v3.1/", Clever},
	}
	s.documented = fromFacts(join(clioRows(), closeRows(), attioRows(), cleverRows(s.Resources(Clever))))
	return s
}

// size is how many generated records provider/resource starts with.
func (s *Server) size(provider, resource string) int {
	if n, ok := s.opts.Sizes[provider+"/"+resource]; ok {
		return max(n, 0)
	}
	return max(s.opts.Records, 0)
}

func (s *Server) addTable(t *table) { s.tables[t.provider+"/"+t.name] = t }

func (s *Server) table(provider, resource string) *table {
	return s.tables[provider+"/"+resource]
}

// ServeHTTP routes /_sandbox/ to the admin endpoints and everything else by base path.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_sandbox/") {
		s.serveAdmin(w, r)
		return
	}
	for _, pr := range s.prefixes {
		if strings.HasPrefix(r.URL.Path, pr.prefix) {
			s.serveData(w, r, pr.provider)
			return
		}
	}
	http.NotFound(w, r)
}

// Resources lists a provider's resources, in the order the provider's file declares them.
func (s *Server) Resources(provider string) []string {
	a := s.apis[provider]
	if a == nil {
		return nil
	}
	return append([]string(nil), a.resources()...)
}

// Dataset is every record of provider/resource in full, in the API's default order, exactly as
// the API would serve it with all fields (for Clever the inner data object).
func (s *Server) Dataset(provider, resource string) []json.RawMessage {
	a, t := s.apis[provider], s.table(provider, resource)
	if a == nil || t == nil {
		return nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	v := view{t: t, hi: t.count(), desc: a.newestFirst(t)}
	out := make([]json.RawMessage, 0, t.count())
	v.walk(func(i int) bool {
		b, _ := marshal(a.record(t, i))
		out = append(out, b)
		return true
	})
	return out
}

// ids is every id of provider/resource in Dataset order, computed without rendering records.
func (s *Server) ids(provider, resource string, fn func(id string)) bool {
	a, t := s.apis[provider], s.table(provider, resource)
	if a == nil || t == nil {
		return false
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	v := view{t: t, hi: t.count(), desc: a.newestFirst(t)}
	v.walk(func(i int) bool { fn(t.meta(i).id); return true })
	return true
}

// IDOf is a record's identity as a string: Clio id, Attio record_id/note_id/meeting_id, Close
// id, Clever data.id (the item or its inner data object). It needs only the id field.
func (s *Server) IDOf(provider string, record json.RawMessage) string {
	a := s.apis[provider]
	var m map[string]json.RawMessage
	if a == nil || json.Unmarshal(record, &m) != nil {
		return ""
	}
	return a.idOf(m)
}

// Insert adds n records created now (after every existing one in id order) and returns their
// ids. One call is one bulk import: for Close they all share one date_created. For Clever
// each new record also gets a created event.
func (s *Server) Insert(provider, resource string, n int) []string {
	t := s.table(provider, resource)
	if t == nil || n <= 0 {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	first := t.count()
	ids := t.insert(s.now(), n)
	if r, ok := s.apis[provider].(recorder); ok {
		idx := make([]int, n)
		for k := range idx {
			idx[k] = first + k
		}
		r.recorded(t, "created", idx, nil)
	}
	return ids
}

// recorder is an api that keeps a change log (Clever's events): Insert and Touch tell it,
// under the write lock, which records they created or updated and, for updates, when each
// was last modified before.
type recorder interface {
	recorded(t *table, action string, idx []int, prev []time.Time)
}

// Touch sets updated_at/date_updated/last_modified of n existing records (chosen from the
// seeded generator) to now and returns their ids in index order. For Clever each also gets
// an updated event.
func (s *Server) Touch(provider, resource string, n int) []string {
	t := s.table(provider, resource)
	if t == nil || n <= 0 {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cnt := t.count()
	n = min(n, cnt)
	picked := map[int]bool{}
	s.faultMu.Lock()
	if n*2 > cnt {
		for _, i := range s.rng.Perm(cnt)[:n] {
			picked[i] = true
		}
	} else {
		for len(picked) < n {
			picked[s.rng.IntN(cnt)] = true
		}
	}
	s.faultMu.Unlock()
	idx := make([]int, 0, n)
	for i := range picked {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	prev := make([]time.Time, len(idx))
	for k, i := range idx {
		prev[k] = t.meta(i).updated
	}
	ids := t.touch(s.now(), idx)
	if r, ok := s.apis[provider].(recorder); ok {
		r.recorded(t, "updated", idx, prev)
	}
	return ids
}

// FailNext makes the next n data requests to provider (after authentication) fail with f.
func (s *Server) FailNext(provider string, f Fault, n int) {
	if n <= 0 {
		return
	}
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	s.pending[provider] = append(s.pending[provider], pendingFault{f, n})
}

// Stats is a snapshot of what the sandbox has served.
func (s *Server) Stats() Stats { return s.stats.snapshot() }
