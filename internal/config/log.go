package config

import (
	"io"
	"log/slog"
	"os"
	"strings"

	"golang.org/x/term"
)

// Logger builds the process logger: JSON when not on a terminal, so log shippers get
// structure, text for a person watching.
func (l Log) Logger(w io.Writer) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(strings.ToUpper(l.Level))); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	format := l.Format
	if format == "" || format == "auto" {
		format = "json"
		if IsTerminal(w) {
			format = "text"
		}
	}
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// IsTerminal reports whether w is a file open on a terminal. A character device is not
// enough: /dev/null is one, and 2>/dev/null must not get text logs or progress redraws.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
