package exportclient

import (
	"fmt"
	"time"

	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/provider/attio"
	"github.com/pagewise/pagewise/internal/provider/clever"
	"github.com/pagewise/pagewise/internal/provider/clio"
	"github.com/pagewise/pagewise/internal/provider/closeio"
	"github.com/pagewise/pagewise/internal/provider/registry"
	"github.com/pagewise/pagewise/workflows"
)

// CheckIncremental fails when the provider cannot limit this resource to records changed
// since a time (Clever lists, Attio notes and meetings, Close search). Such a schedule's
// first run would export everything and every later run would fail as invalid input, so
// it is refused up front. It runs the worker's own validation offline, and only an
// objection to since counts: the worker's environment (ATTIO_OBJECTS, say) may accept
// what this process cannot judge.
func CheckIncremental(in workflows.ExportInput) error {
	conn, err := offlineRegistry().Get(in.Provider, "")
	if err != nil {
		return err
	}
	spec := provider.Spec{Resource: in.Resource, Strategy: in.Strategy, PageSize: in.PageSize,
		Fields: in.Fields, Filters: in.Filters, Query: in.Query}
	if _, err := conn.Validate(spec); err != nil {
		return nil // not about since: the worker judges it with its own settings
	}
	spec.Since = time.Now()
	if _, err := conn.Validate(spec); err != nil {
		return fmt.Errorf("--incremental: %v; schedule it without --incremental and every run exports everything", err)
	}
	return nil
}

// offlineRegistry has placeholder credentials: Validate never touches the network, and
// refuses to judge a spec without a token.
func offlineRegistry() registry.Registry {
	const token = "offline-validation"
	return registry.New(registry.Config{
		Clio:   clio.Config{Token: token},
		Attio:  attio.Config{Token: token},
		Close:  closeio.Config{Token: token},
		Clever: clever.Config{Token: token},
	}, nil)
}
