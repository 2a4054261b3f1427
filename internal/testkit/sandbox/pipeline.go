package sandbox

import (
	"bytes"
	"context"
	"net/http"
	"runtime"
	"strconv"
	"time"
)

// serveData is the path every provider request takes: count it, authenticate, drop what
// the endpoint's reference does not document, maybe inject a fault, enforce the budget,
// then let the provider answer. Latency is the whole response time, as a client measures
// an API's: the page is rendered while it runs, and every answer waits for it.
func (s *Server) serveData(w http.ResponseWriter, r *http.Request, provider string) {
	a := s.apis[provider]
	cred := a.credential(r)
	sw := &statusWriter{ResponseWriter: w}
	s.stats.request(provider, cred, s.now())
	defer func() { s.stats.status(provider, sw.status) }()
	arrived := time.Now()
	// rest waits out what is left of the latency; false if the client went away first.
	rest := func() bool { return wait(r.Context(), s.opts.Latency-time.Since(arrived)) }

	if !s.accepts(provider, cred) {
		if rest() {
			a.unauthorized(sw)
		}
		return
	}
	if s.isDenied(provider, r) {
		if rest() {
			forbidden(sw)
		}
		return
	}
	s.checkFacts(provider, r)
	if d := s.row(provider, r); d != nil {
		if p := s.strip(r, d); p != "" {
			if rest() {
				a.unsupported(sw, p)
			}
			return
		}
	}
	if f, ok := s.nextFault(provider); ok {
		s.stats.fault(provider, f)
		if rest() {
			s.inject(sw, r, provider, a, f)
		}
		return
	}
	rs := s.limiter.admit(provider+"\x00"+cred, s.now())
	if rs.delay > 0 {
		s.stats.overBudget(provider)
		if rest() {
			a.rateLimited(sw, rs)
		}
		return
	}
	held := &heldResponse{header: http.Header{}}
	a.rateHeaders(held, rs)
	a.serve(held, r)
	if !rest() {
		return
	}
	held.sendTo(sw)
	if s.opts.LogServed && sw.status == http.StatusOK {
		s.logServed(provider, a, held.body.Bytes())
	}
}

// heldResponse is an answer rendered before its latency is up.
type heldResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (h *heldResponse) Header() http.Header { return h.header }

func (h *heldResponse) WriteHeader(code int) {
	if h.status == 0 {
		h.status = code
	}
}

func (h *heldResponse) Write(p []byte) (int, error) {
	if h.status == 0 {
		h.status = http.StatusOK
	}
	return h.body.Write(p)
}

func (h *heldResponse) sendTo(w http.ResponseWriter) {
	for k, v := range h.header {
		w.Header()[k] = v
	}
	w.WriteHeader(max(h.status, http.StatusOK))
	_, _ = w.Write(h.body.Bytes())
}

func (s *Server) accepts(provider, cred string) bool {
	if cred == "" {
		return false
	}
	s.tokenMu.Lock()
	defer s.tokenMu.Unlock()
	return cred == s.tokens[provider] || s.more[provider+"\x00"+cred] || provider == Clever && s.users[cred]
}

// nextFault takes a FailNext fault first, else draws one with probability FaultRate.
func (s *Server) nextFault(provider string) (Fault, bool) {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	if q := s.pending[provider]; len(q) > 0 {
		f := q[0].fault
		if q[0].n--; q[0].n == 0 {
			s.pending[provider] = q[1:]
		}
		return f, true
	}
	if s.opts.FaultRate > 0 && len(s.opts.Faults) > 0 && s.rng.Float64() < s.opts.FaultRate {
		return s.opts.Faults[s.rng.IntN(len(s.opts.Faults))], true
	}
	return "", false
}

func (s *Server) inject(w *statusWriter, r *http.Request, provider string, a api, f Fault) {
	switch f {
	case FaultRateLimit:
		// A short, provider-typical delay; Close reports fractional seconds, so use one.
		d, now := time.Second, s.now()
		if provider == Close {
			d = 500 * time.Millisecond
		}
		a.rateLimited(w, rateState{window: time.Second, delay: d, reset: now.Add(d), now: now})
	case FaultServer:
		s.faultMu.Lock()
		status := []int{500, 502, 503}[s.rng.IntN(3)]
		s.faultMu.Unlock()
		if status == 500 {
			a.serverError(w, status)
		} else {
			gatewayPage(w, status)
		}
	case FaultTimeout:
		if wait(r.Context(), s.opts.TimeoutHold) {
			gatewayPage(w, http.StatusGatewayTimeout)
		}
	case FaultTruncate:
		// Render the real answer, then promise all of it and deliver half.
		buf := &bufferWriter{header: http.Header{}}
		a.serve(buf, r)
		for k, v := range buf.header {
			w.Header()[k] = v
		}
		body := buf.body
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		w.Write(body[:len(body)/2])
		rc := http.NewResponseController(w)
		rc.Flush()
		abort(rc)
	case FaultDrop:
		abort(http.NewResponseController(w))
	default:
		a.serverError(w, http.StatusInternalServerError)
	}
}

// abort closes the connection under the response; when the writer cannot be hijacked the
// standard library's ErrAbortHandler panic does the same.
func abort(rc *http.ResponseController) {
	conn, _, err := rc.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	conn.Close()
}

func gatewayPage(w http.ResponseWriter, status int) {
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(status)
	txt := strconv.Itoa(status) + " " + http.StatusText(status)
	w.Write([]byte("<html><head><title>" + txt + "</title></head><body><h1>" + txt + "</h1></body></html>\n"))
}

// timerSlack is how early wait's timer is set. A timer alone woke 0.5 ms late on average
// when the process was otherwise idle (the runtime's poller sleeps in whole milliseconds),
// which made every 20 ms response 20.5 ms: the sandbox was slower than its latency.
const timerSlack = time.Millisecond

// wait holds for d, returning false if the client went away first: a timer takes it to
// within timerSlack, and yielding the rest lands it on time.
func wait(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	deadline := time.Now().Add(d)
	if d > timerSlack {
		t := time.NewTimer(d - timerSlack)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return false
		}
	}
	for time.Now().Before(deadline) {
		if ctx.Err() != nil {
			return false
		}
		runtime.Gosched()
	}
	return true
}

// statusWriter remembers the status sent, for Stats.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// bufferWriter captures a response so FaultTruncate can cut it.
type bufferWriter struct {
	header http.Header
	body   []byte
}

func (b *bufferWriter) Header() http.Header { return b.header }
func (b *bufferWriter) WriteHeader(int)     {}
func (b *bufferWriter) Write(p []byte) (int, error) {
	b.body = append(b.body, p...)
	return len(p), nil
}
