package provider

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// authSeen records the Authorization header of every request a server gets, by host.
type authSeen struct {
	mu  sync.Mutex
	got map[string]string
}

func (a *authSeen) note(r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.got == nil {
		a.got = map[string]string{}
	}
	a.got[r.Host+r.URL.Path] = r.Header.Get("Authorization")
}

func (a *authSeen) at(hostPath string) (string, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	v, ok := a.got[hostPath]
	return v, ok
}

const secretAuth = "Bearer s3cret-token"

// callOnce sends GET url with the token through Call, as a connector does.
func callOnce(t *testing.T, client *http.Client, url string) error {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", secretAuth)
	var out map[string]any
	return Call(context.Background(), client, nil, Wire{Provider: "fake"}, "items", req, &out)
}

// TestRedirectsKeepTheTokenInItsOrigin: a redirect to the same host on another scheme or
// port, or to a subdomain, is not followed (Go's client would send Authorization along:
// it compares host names only), and Call fails it for good without the token having left;
// a redirect within the origin is still followed with the token.
func TestRedirectsKeepTheTokenInItsOrigin(t *testing.T) {
	seen := &authSeen{}
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.note(r)
		_, _ = w.Write([]byte(`{}`))
	}))
	defer target.Close()
	plainHost := strings.TrimPrefix(target.URL, "http://") // 127.0.0.1:port

	// https -> http on the same host (another port, as two servers need).
	tlsSrc := httptest.NewTLSServer(http.RedirectHandler(target.URL+"/from-https", http.StatusFound))
	defer tlsSrc.Close()
	// http -> http on the same host, another port.
	portSrc := httptest.NewServer(http.RedirectHandler(target.URL+"/from-port", http.StatusFound))
	defer portSrc.Close()
	// example.test -> evil.example.test, same scheme and port: one server answers both
	// names, which a dialer sends to loopback.
	sub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.note(r)
		switch {
		case strings.HasPrefix(r.Host, "example.test:") && r.URL.Path == "/sub":
			http.Redirect(w, r, "http://evil."+r.Host+"/stolen", http.StatusFound)
		case r.URL.Path == "/same":
			http.Redirect(w, r, "/landed", http.StatusMovedPermanently)
		default:
			_, _ = w.Write([]byte(`{}`))
		}
	}))
	defer sub.Close()
	_, subPort, _ := net.SplitHostPort(sub.Listener.Addr().String())
	loopback := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, "127.0.0.1:"+subPort)
	}}
	defer loopback.CloseIdleConnections()

	for _, tc := range []struct {
		name, url, landed string
		client            *http.Client
	}{
		{"https to http", tlsSrc.URL + "/", plainHost + "/from-https", tlsSrc.Client()},
		{"another port", portSrc.URL + "/", plainHost + "/from-port", portSrc.Client()},
		{"subdomain", "http://example.test:" + subPort + "/sub", "evil.example.test:" + subPort + "/stolen", &http.Client{Transport: loopback}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := callOnce(t, tc.client, tc.url)
			if auth, ok := seen.at(tc.landed); ok {
				t.Fatalf("the redirect was followed to %s with Authorization %q", tc.landed, auth)
			}
			var pe *Error
			if !errors.As(err, &pe) || pe.Retryable || pe.Status != http.StatusFound || !strings.Contains(pe.Message, "not followed") {
				t.Fatalf("err = %v, want a fatal 302 error saying the redirect was not followed", err)
			}
			if strings.Contains(pe.Error(), "s3cret") {
				t.Fatalf("the token is in the error: %v", pe)
			}
		})
	}

	t.Run("same origin", func(t *testing.T) {
		if err := callOnce(t, &http.Client{Transport: loopback}, "http://example.test:"+subPort+"/same"); err != nil {
			t.Fatal(err)
		}
		if auth, ok := seen.at("example.test:" + subPort + "/landed"); !ok || auth != secretAuth {
			t.Fatalf("same-origin redirect: landed %v with Authorization %q, want it followed with the token", ok, auth)
		}
	})
}
