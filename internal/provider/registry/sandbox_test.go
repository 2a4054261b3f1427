package registry_test

import (
	"testing"

	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/provider/registry"
	"github.com/pagewise/pagewise/internal/testkit/conformance"
	"github.com/pagewise/pagewise/internal/testkit/sandbox"
)

// TestDefaultsExportEverySandboxResource: every resource the sandbox serves is known to its
// connector, and an export with every default (fields, page size, strategy) gets all of it.
func TestDefaultsExportEverySandboxResource(t *testing.T) {
	sb, url := conformance.Serve(t, sandbox.Options{Seed: 11, Records: 450})
	var cfg registry.Config
	cfg.Clio.BaseURL, cfg.Clio.Token = url, sandbox.DefaultToken("clio")
	cfg.Attio.BaseURL, cfg.Attio.Token = url, sandbox.DefaultToken("attio")
	cfg.Close.BaseURL, cfg.Close.Token = url, sandbox.DefaultToken("close")
	cfg.Clever.BaseURL, cfg.Clever.Token = url, sandbox.DefaultToken("clever")
	reg := registry.New(cfg, conformance.Client())
	for _, name := range reg.Names() {
		conn, err := reg.Get(name, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, resource := range sb.Resources(name) {
			t.Run(name+"/"+resource, func(t *testing.T) {
				plan, err := conn.Validate(provider.Spec{Resource: resource})
				if err != nil {
					t.Fatal(err)
				}
				res := conformance.Drain(t, conn, plan, conn.Start(plan))
				conformance.AssertExactly(t, sb, name, resource, res.Records)
			})
		}
	}
}
