package sandbox

import (
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"
)

// noReuse never reuses connections: Go's transport silently retries a GET whose reused
// connection dies, which would hide a dropped connection from the test.
func noReuse(timeout time.Duration) *http.Client {
	return &http.Client{Timeout: timeout, Transport: &http.Transport{DisableKeepAlives: true}}
}

func clioRequest(t *testing.T, base string) *http.Request {
	t.Helper()
	req, err := http.NewRequest("GET", base+"/api/v4/contacts.json", nil)
	if err != nil {
		t.Fatal(err)
	}
	clioAuth(req)
	return req
}

func TestFaultKinds(t *testing.T) {
	s, ts := start(t, Options{Records: 30, TimeoutHold: 20 * time.Millisecond})

	t.Run("5xx", func(t *testing.T) {
		s.FailNext(Clio, FaultServer, 6)
		for range 6 {
			r := get(t, ts.URL+"/api/v4/contacts.json", clioAuth)
			switch r.status {
			case 500:
				var e clioErr
				r.decode(t, 500, &e)
			case 502, 503:
			default:
				t.Fatalf("status %d, want 500/502/503", r.status)
			}
		}
	})
	t.Run("timeout answers 504 after the hold", func(t *testing.T) {
		s.FailNext(Clio, FaultTimeout, 1)
		if r := get(t, ts.URL+"/api/v4/contacts.json", clioAuth); r.status != 504 {
			t.Fatalf("status %d, want 504", r.status)
		}
	})
	t.Run("truncate", func(t *testing.T) {
		s.FailNext(Clio, FaultTruncate, 1)
		resp, err := noReuse(0).Do(clioRequest(t, ts.URL))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || resp.ContentLength <= int64(len(body)) || !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("status %d, Content-Length %d, read %d bytes, err %v", resp.StatusCode, resp.ContentLength, len(body), err)
		}
		if json.Valid(body) || len(body) == 0 {
			t.Fatalf("truncated body should be partial JSON: %q", body)
		}
	})
	t.Run("drop", func(t *testing.T) {
		s.FailNext(Clio, FaultDrop, 1)
		resp, err := noReuse(0).Do(clioRequest(t, ts.URL))
		if err == nil {
			resp.Body.Close()
			t.Fatalf("got status %d, want a connection error", resp.StatusCode)
		}
	})
	t.Run("429", func(t *testing.T) {
		s.FailNext(Clio, FaultRateLimit, 1)
		r := get(t, ts.URL+"/api/v4/contacts.json", clioAuth)
		var e clioErr
		r.decode(t, 429, &e)
		if r.header.Get("Retry-After") != "1" || e.Error.Type == "" {
			t.Fatalf("Retry-After %q body %s", r.header.Get("Retry-After"), r.body)
		}
	})
	// Faults are consumed: the next request is served normally.
	get(t, ts.URL+"/api/v4/contacts.json", clioAuth).decode(t, 200, &clioPage{})
	st := s.Stats().Providers[Clio]
	want := map[Fault]int64{FaultServer: 6, FaultTimeout: 1, FaultTruncate: 1, FaultDrop: 1, FaultRateLimit: 1}
	for f, n := range want {
		if st.Faults[f] != n {
			t.Errorf("Stats faults[%s] = %d, want %d", f, st.Faults[f], n)
		}
	}
	if st.ByStatus[504] != 1 || st.RateLimited != 1 || st.Requests != 11 {
		t.Errorf("stats %+v", st)
	}
}

func TestTimeoutFaultLetsTheClientGiveUp(t *testing.T) {
	s, ts := start(t, Options{Records: 3, TimeoutHold: time.Hour})
	s.FailNext(Clio, FaultTimeout, 1)
	_, err := noReuse(100 * time.Millisecond).Do(clioRequest(t, ts.URL))
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("err = %v, want a client timeout", err)
	}
}

func TestFaultRate(t *testing.T) {
	s, ts := start(t, Options{Records: 3, FaultRate: 0.3, Faults: []Fault{FaultRateLimit}, Seed: 3})
	limited := 0
	for range 100 {
		r := get(t, ts.URL+"/v3.0/users", cleverAuth)
		if r.status == 429 {
			limited++
		}
	}
	if limited < 10 || limited > 60 {
		t.Errorf("%d of 100 requests faulted at rate 0.3", limited)
	}
	if got := s.Stats().Providers[Clever].Faults[FaultRateLimit]; got != int64(limited) {
		t.Errorf("stats counted %d faults, saw %d", got, limited)
	}
}

func TestBudgetIsEnforcedPerCredential(t *testing.T) {
	clk := newClock()
	s, ts := start(t, Options{Records: 3, Budget: 5, Now: clk.Now})
	u := ts.URL + "/api/v4/contacts.json"
	for k := range 5 {
		r := get(t, u, clioAuth)
		if r.status != 200 || r.header.Get("X-RateLimit-Remaining") != strconv.Itoa(4-k) || r.header.Get("X-RateLimit-Limit") != "5" {
			t.Fatalf("request %d: %d remaining %q", k, r.status, r.header.Get("X-RateLimit-Remaining"))
		}
	}
	r := get(t, u, clioAuth)
	if r.status != 429 || r.header.Get("Retry-After") != "1" {
		t.Fatalf("6th request in a second: %d Retry-After %q", r.status, r.header.Get("Retry-After"))
	}
	// Another provider's credential has its own budget.
	get(t, ts.URL+"/v2/notes", attioAuth).decode(t, 200, &struct{}{})
	clk.Add(999 * time.Millisecond)
	if r := get(t, u, clioAuth); r.status != 429 {
		t.Fatalf("still inside the window: %d", r.status)
	}
	clk.Add(time.Millisecond) // exactly when the 429 said
	get(t, u, clioAuth).decode(t, 200, &clioPage{})

	st := s.Stats().Providers[Clio]
	if st.OverBudget != 2 || st.RateLimited != 2 || st.MaxPerSecond[DefaultToken(Clio)] != 7 {
		t.Errorf("stats %+v", st)
	}
}

func TestBudgetDelaysAreTruthful(t *testing.T) {
	clk := newClock()
	_, ts := start(t, Options{Records: 3, Budget: 0.5, Now: clk.Now}) // one request per 2s
	u := ts.URL + "/api/v1/lead/"
	get(t, u, closeAuth).decode(t, 200, &closePage{})
	clk.Add(1500 * time.Millisecond)
	var e struct {
		Error struct {
			RateReset  float64 `json:"rate_reset"`
			RateWindow float64 `json:"rate_window"`
		} `json:"error"`
	}
	get(t, u, closeAuth).decode(t, 429, &e)
	if e.Error.RateReset != 0.5 || e.Error.RateWindow != 2 {
		t.Errorf("rate_reset %v window %v, want 0.5 and 2", e.Error.RateReset, e.Error.RateWindow)
	}
	get(t, ts.URL+"/v3.0/users", cleverAuth).decode(t, 200, &cleverPage{})
	clk.Add(300 * time.Millisecond)
	r := get(t, ts.URL+"/v3.0/users", cleverAuth)
	reset, _ := strconv.ParseInt(r.header.Get("X-RateLimit-Reset"), 10, 64)
	if r.status != 429 || len(r.body) != 0 || reset != clk.Now().Add(1700*time.Millisecond).Add(time.Second-1).Unix() {
		t.Errorf("clever over budget: %d reset %d now %v", r.status, reset, clk.Now())
	}
}

// TestMoreTokensEachHaveABudget: a second account's token is accepted, held to a budget
// of its own and counted apart.
func TestMoreTokensEachHaveABudget(t *testing.T) {
	clk := newClock()
	s, ts := start(t, Options{Records: 3, Budget: 2, Now: clk.Now, MoreTokens: map[string][]string{Clio: {"second-firm"}}})
	u := ts.URL + "/api/v4/contacts.json"
	for range 2 {
		get(t, u, clioAuth).decode(t, 200, &clioPage{})
		get(t, u, bearerAuth("second-firm")).decode(t, 200, &clioPage{})
	}
	if r := get(t, u, bearerAuth("second-firm")); r.status != 429 {
		t.Fatalf("third request in a second on the second token: %d", r.status)
	}
	if r := get(t, u, bearerAuth("third-firm")); r.status != 401 {
		t.Fatalf("unknown token: %d", r.status)
	}
	st := s.Stats().Providers[Clio]
	if st.ByCredential[DefaultToken(Clio)] != 2 || st.ByCredential["second-firm"] != 3 || st.MaxPerSecond["second-firm"] != 3 {
		t.Fatalf("stats %+v", st)
	}
}

// TestDenyOneResource: a denied path answers 403 until allowed; others are unaffected.
func TestDenyOneResource(t *testing.T) {
	s, ts := start(t, Options{Records: 3})
	s.Deny(Clio, "/api/v4/matters")
	if r := get(t, ts.URL+"/api/v4/matters.json", clioAuth); r.status != 403 {
		t.Fatalf("denied: %d", r.status)
	}
	get(t, ts.URL+"/api/v4/contacts.json", clioAuth).decode(t, 200, &clioPage{})
	s.Allow(Clio, "/api/v4/matters")
	get(t, ts.URL+"/api/v4/matters.json", clioAuth).decode(t, 200, &clioPage{})
}
