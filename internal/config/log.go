package config

import (
	"io"
	"log/slog"
	"os"
	"strings"
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
		if f, ok := w.(*os.File); ok && IsTerminal(f) {
			format = "text"
		}
	}
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// IsTerminal avoids a terminal library: a character device is a terminal for our purposes.
func IsTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
