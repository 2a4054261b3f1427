package config

import (
	"strings"
	"testing"

	"github.com/pagewise/pagewise/internal/provider"
)

// The worker's memory budget defaults to what activities use without one, must let a
// page of any shape through, and gives the formula deploy/ sizes its limit from.
func TestMemoryBudget(t *testing.T) {
	isolate(t)
	unset(t, "PAGEWISE_MEMORY_BUDGET")
	unset(t, "PAGEWISE_MAX_BODY")
	w, err := LoadWorker()
	if err != nil {
		t.Fatal(err)
	}
	if int64(w.MemoryBudget) != provider.DefaultBudget {
		t.Fatalf("PAGEWISE_MEMORY_BUDGET defaults to %d, provider.DefaultBudget is %d", w.MemoryBudget, provider.DefaultBudget)
	}
	if got, want := w.MemoryLimit(), int64(w.MemoryBudget)+MemoryBase+MemoryHeadroom; got != want || w.GoMemoryLimit() >= got {
		t.Fatalf("memory limit %d, Go limit %d; want %d above the Go limit", got, w.GoMemoryLimit(), want)
	}
	t.Setenv("PAGEWISE_MAX_BODY", "64MiB")
	t.Setenv("PAGEWISE_MEMORY_BUDGET", "128MiB")
	if _, err := LoadWorker(); err == nil || !strings.Contains(err.Error(), "PAGEWISE_MEMORY_BUDGET") {
		t.Fatalf("a budget under 3 bodies: err = %v, want one naming PAGEWISE_MEMORY_BUDGET", err)
	}
	t.Setenv("PAGEWISE_MEMORY_BUDGET", "192MiB")
	if _, err := LoadWorker(); err != nil {
		t.Fatalf("a budget of exactly 3 bodies: %v", err)
	}
}
