package provider

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"
)

// tokenRecheck is how often a token file's modification is looked at: a rotated
// Kubernetes Secret is seen within a second, and a busy worker stats it once a second.
const tokenRecheck = time.Second

// Token is a credential from the worker's environment or from a file. A file is re-read
// when it changes (a rotated Kubernetes Secret swaps it in place), so rotating a token
// needs no restart. The token itself never appears in errors.
type Token struct {
	value, file, name string

	mu      sync.Mutex
	cached  string
	mod     time.Time
	size    int64
	checked time.Time
	readErr error
}

// NewToken is a credential given as value, or read from file when file is set. name is
// the variable it comes from (CLIO_TOKEN), for messages.
func NewToken(value, file, name string) *Token {
	return &Token{value: strings.TrimSpace(value), file: file, name: name}
}

// Configured reports whether a value or a file was given.
func (t *Token) Configured() bool { return t != nil && (t.value != "" || t.file != "") }

// Get returns the current token.
func (t *Token) Get() (string, error) {
	if t == nil || !t.Configured() {
		return "", errors.New(t.name + " is not set in the worker's environment (nor " + t.name + "_FILE)")
	}
	if t.file == "" {
		return t.value, nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	now := time.Now()
	if t.cached != "" && now.Sub(t.checked) < tokenRecheck {
		return t.cached, nil
	}
	t.checked = now
	st, err := os.Stat(t.file)
	if err != nil {
		return t.fail(fmt.Errorf("%s_FILE %s: %w", t.name, t.file, errors.Unwrap(err)))
	}
	if t.cached != "" && st.ModTime().Equal(t.mod) && st.Size() == t.size {
		return t.cached, nil
	}
	raw, err := os.ReadFile(t.file)
	if err != nil {
		return t.fail(fmt.Errorf("%s_FILE %s: %w", t.name, t.file, errors.Unwrap(err)))
	}
	tok := strings.TrimSpace(string(raw))
	if tok == "" {
		return t.fail(fmt.Errorf("%s_FILE %s is empty", t.name, t.file))
	}
	t.cached, t.mod, t.size, t.readErr = tok, st.ModTime(), st.Size(), nil
	return tok, nil
}

// fail keeps serving the last good token while the file is being swapped, and reports the
// error only when there is none.
func (t *Token) fail(err error) (string, error) {
	t.readErr = err
	if t.cached != "" {
		return t.cached, nil
	}
	return "", err
}

// Bearer sets req's Authorization to the current token and asks for JSON; a token the
// worker cannot read is a Credentials error of provider and resource.
func (t *Token) Bearer(req *http.Request, provider, resource string) error {
	tok, err := t.Get()
	if err != nil {
		return NoCredential(provider, resource, err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Accept", "application/json")
	return nil
}
