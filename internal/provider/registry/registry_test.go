package registry

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kelseyhightower/envconfig"

	"github.com/pagewise/pagewise/internal/provider"
)

func TestGet(t *testing.T) {
	r := New(Config{}, nil)
	if got := r.Names(); !slices.Equal(got, []string{"attio", "clever", "clio", "close"}) {
		t.Fatalf("names %v", got)
	}
	for _, n := range r.Names() {
		c, err := r.Get(n, "")
		if err != nil || c.Name() != n {
			t.Fatalf("%s: %v", n, err)
		}
	}
	_, err := r.Get("x", "")
	var pe *provider.Error
	if !errors.As(err, &pe) || pe.Retryable || err.Error() != `invalid provider: "x"; allowed: attio, clever, clio, close` {
		t.Fatalf("got %v", err)
	}
}

// TestEnvironment pins the variable names operators set.
func TestEnvironment(t *testing.T) {
	env := map[string]string{
		"CLIO_TOKEN": "a", "CLIO_BASE_URL": "https://eu.app.clio.com", "ATTIO_TOKEN": "b", "ATTIO_OBJECTS": "invoices,orders",
		"CLOSE_API_KEY": "c", "CLOSE_MAX_SKIP": "1000", "CLOSE_MAX_SKIP_BY_RESOURCE": "activity:50", "CLEVER_TOKEN": "d",
		"CLOSE_SEARCH_CAP": "5000",
	}
	for k, v := range env {
		t.Setenv(k, v)
	}
	var cfg Config
	if err := envconfig.Process("", &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Clio.Token != "a" || cfg.Clio.BaseURL != "https://eu.app.clio.com" || cfg.Clio.RatePerSecond != 0.8 ||
		cfg.Attio.Token != "b" || strings.Join(cfg.Attio.Objects, ",") != "invoices,orders" || cfg.Attio.BaseURL != "https://api.attio.com" ||
		cfg.Close.Token != "c" || cfg.Close.MaxSkip != 1000 || cfg.Close.MaxSkipByResource["activity"] != 50 || cfg.Close.RatePerSecond != 18 ||
		cfg.Close.SearchCap != 5000 || cfg.Close.CursorMaxAge != 20*time.Second ||
		cfg.Clever.Token != "d" || cfg.Clever.BaseURL != "https://api.clever.com" || cfg.Clever.RatePerSecond != 19 {
		t.Fatalf("config %+v", cfg)
	}
}
