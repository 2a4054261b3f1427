package registry

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/provider/clio"
	"github.com/pagewise/pagewise/internal/provider/closeio"
)

func envOf(m map[string]string) (func(string) (string, bool), []string) {
	var environ []string
	for k, v := range m {
		environ = append(environ, k+"="+v)
	}
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }, environ
}

// TestNamedCredentials: a credential name selects a token from a variable, a variable's
// file or the credentials directory; each has its own connector (and so its own pacer),
// and a name that is not configured fails naming where to put it, never a token.
func TestNamedCredentials(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "close"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "close", "beta"), []byte("key-beta\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	lookup, environ := envOf(map[string]string{
		"CLOSE_API_KEY": "key-default", "CLOSE_API_KEY_ACME": "key-acme", "CLOSE_API_KEY_FILE": "/nope",
		"CLIO_TOKEN_EU_FIRM_FILE": filepath.Join(dir, "close", "beta"),
	})
	r := NewWithEnv(Config{Close: closeio.Config{RatePerSecond: 18}, Clio: clio.Config{RatePerSecond: 0.8}, CredentialsDir: dir}, nil, lookup, environ)
	def, _ := r.Get("close", "")
	acme, err := r.Get("close", "acme")
	if err != nil {
		t.Fatal(err)
	}
	beta, err := r.Get("close", "beta")
	if err != nil {
		t.Fatal(err)
	}
	again, _ := r.Get("close", "acme")
	if acme == def || beta == acme || again != acme {
		t.Fatal("each credential needs one connector of its own, built once")
	}
	if _, err := r.Get("clio", "eu_firm"); err != nil {
		t.Fatal(err)
	}
	_, err = r.Get("close", "gamma")
	var pe *provider.Error
	if !errors.As(err, &pe) || pe.Retryable || !strings.Contains(err.Error(), "CLOSE_API_KEY_GAMMA") || strings.Contains(err.Error(), "key-") {
		t.Fatalf("missing credential: %v", err)
	}
	if _, err := r.Get("close", "../x"); err == nil || !strings.Contains(err.Error(), "not a credential name") {
		t.Fatalf("bad name: %v", err)
	}
	var got []string
	for _, b := range r.Budgets() {
		if b.Provider == "close" || b.Provider == "clio" {
			got = append(got, b.Provider+"/"+b.Credential)
		}
	}
	want := []string{"clio/", "clio/eu_firm", "close/", "close/acme", "close/beta"}
	if !slices.Equal(got, want) {
		t.Fatalf("budgets %v, want %v", got, want)
	}
}

// TestCredentialNamesReadTheirOwnToken: acme-x is refused rather than read through
// CLOSE_API_KEY_ACME_X under a second budget, acme_file rather than sending the path in
// CLOSE_API_KEY_ACME_FILE as its token; the environment's credentials have one budget each.
func TestCredentialNamesReadTheirOwnToken(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "close"), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"acme-x", "beta"} {
		if err := os.WriteFile(filepath.Join(dir, "close", f), []byte("key-"+f+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	lookup, environ := envOf(map[string]string{"CLOSE_API_KEY": "key-default", "CLOSE_API_KEY_ACME_X": "key-acme",
		"CLOSE_API_KEY_ACME_FILE": filepath.Join(dir, "close", "beta")})
	r := NewWithEnv(Config{Close: closeio.Config{RatePerSecond: 18}, CredentialsDir: dir}, nil, lookup, environ)
	if _, err := r.Get("close", "acme_x"); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"acme-x", "acme_file"} {
		if _, err := r.Get("close", name); err == nil || !strings.Contains(err.Error(), "not a credential name") || strings.Contains(err.Error(), "key-") {
			t.Errorf("credential %q: %v, want it refused by name", name, err)
		}
	}
	var got []string
	for _, b := range r.Budgets() {
		if b.Provider == "close" {
			got = append(got, b.Credential)
		}
	}
	if want := []string{"", "acme", "acme_x", "beta"}; !slices.Equal(got, want) {
		t.Fatalf("close budgets %q, want %q (acme from CLOSE_API_KEY_ACME_FILE)", got, want)
	}
}
