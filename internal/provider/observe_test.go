package provider

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
)

func TestCallReportsEveryStatus(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			_, _ = w.Write([]byte(`{}`))
		case "/slow-down":
			w.WriteHeader(http.StatusTooManyRequests)
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	deadURL := func() string { // a port nothing listens on: a transport error
		dead := httptest.NewServer(http.NotFoundHandler())
		dead.Close()
		return dead.URL
	}()
	defer srv.Close()

	var got []int
	ctx := WithObserver(context.Background(), func(p string, status int) {
		if p != "test" {
			t.Errorf("provider %q", p)
		}
		got = append(got, status)
	})
	for _, url := range []string{srv.URL + "/ok", srv.URL + "/slow-down", srv.URL + "/missing", deadURL} {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		_ = Call(ctx, srv.Client(), nil, Wire{Provider: "test"}, "things", req, &struct{}{})
	}
	if want := []int{200, 429, 404, 0}; !slices.Equal(got, want) {
		t.Fatalf("observed %v, want %v", got, want)
	}

	// Our own cancellation is not the API's answer, and no observer means nothing breaks.
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/ok", nil)
	if err := Call(cancelled, srv.Client(), nil, Wire{Provider: "test"}, "things", req, &struct{}{}); err == nil {
		t.Fatal("cancelled call succeeded")
	}
	if len(got) != 4 {
		t.Fatalf("cancelled call observed: %v", got)
	}
	req, _ = http.NewRequest(http.MethodGet, srv.URL+"/ok", nil)
	if err := Call(context.Background(), srv.Client(), nil, Wire{Provider: "test"}, "things", req, &struct{}{}); err != nil {
		t.Fatal(err)
	}
}
