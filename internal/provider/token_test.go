package provider

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestTokenFromFileFollowsRotation(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "token")
	if err := os.WriteFile(file, []byte("first\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tok := NewToken("", file, "CLIO_TOKEN")
	if got, err := tok.Get(); err != nil || got != "first" {
		t.Fatalf("got %q %v", got, err)
	}
	// A rotated Secret: new content, a later modification time.
	if err := os.WriteFile(file, []byte("second-and-longer"), 0o600); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Minute)
	_ = os.Chtimes(file, later, later)
	tok.checked = time.Time{} // as if a second had passed
	if got, err := tok.Get(); err != nil || got != "second-and-longer" {
		t.Fatalf("after rotation got %q %v", got, err)
	}
	// Mid-swap the file is briefly gone: the last good token is kept.
	_ = os.Remove(file)
	tok.checked = time.Time{}
	if got, err := tok.Get(); err != nil || got != "second-and-longer" {
		t.Fatalf("mid-swap got %q %v", got, err)
	}
}

func TestTokenErrorsNameTheVariableNotTheSecret(t *testing.T) {
	if _, err := NewToken("", "", "CLOSE_API_KEY").Get(); err == nil || !strings.Contains(err.Error(), "CLOSE_API_KEY is not set") {
		t.Fatalf("got %v", err)
	}
	_, err := NewToken("", filepath.Join(t.TempDir(), "missing"), "ATTIO_TOKEN").Get()
	if err == nil || !strings.Contains(err.Error(), "ATTIO_TOKEN_FILE") {
		t.Fatalf("got %v", err)
	}
	if got, err := NewToken(" value \n", "", "X").Get(); err != nil || got != "value" {
		t.Fatalf("got %q %v", got, err)
	}
}
