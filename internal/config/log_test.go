package config

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"strings"
	"testing"
)

// TestNotTerminals: /dev/null is a character device but no terminal; a pipe and a
// buffer are neither.
func TestNotTerminals(t *testing.T) {
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = null.Close() }()
	if st, err := null.Stat(); err != nil || st.Mode()&os.ModeCharDevice == 0 {
		t.Fatalf("%s is not a character device here (%v): the test proves nothing", os.DevNull, err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = r.Close(); _ = w.Close() }()
	for name, out := range map[string]io.Writer{"/dev/null": null, "pipe": w, "buffer": &bytes.Buffer{}} {
		if IsTerminal(out) {
			t.Errorf("%s counts as a terminal", name)
		}
	}
}

// TestAutoFormatIsJSONOffTerminal: a pipe gets JSON lines.
func TestAutoFormatIsJSONOffTerminal(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = r.Close() }()
	Log{Format: "auto"}.Logger(w).Info("hello")
	_ = w.Close()
	line, _ := bufio.NewReader(r).ReadString('\n')
	if !strings.HasPrefix(line, `{"time":`) || !strings.Contains(line, `"msg":"hello"`) {
		t.Fatalf("auto format on a pipe wrote %q, want JSON", line)
	}
}
