package config

import (
	"bytes"
	"slices"
	"text/tabwriter"

	"github.com/kelseyhightower/envconfig"
	temporalenv "go.temporal.io/sdk/contrib/envconfig"
)

// tableFormat renders envconfig's usage as a Markdown table.
const tableFormat = `| variable | default | meaning |
|---|---|---|
{{range .}}| ` + "`{{usage_key .}}`" + ` | {{with usage_default .}}` + "`{{.}}`" + `{{end}} | {{usage_description .}} |
{{end}}`

// MarkdownTable documents every variable of pagewise's own the worker reads, from the
// struct tags, so the README cannot drift from the code (a test compares them). The
// Temporal connection's variables are the SDK's: see TemporalVariables.
func MarkdownTable() (string, error) {
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 0, 0, ' ', 0)
	if err := envconfig.Usagef("", &Worker{}, tw, tableFormat); err != nil {
		return "", err
	}
	if err := tw.Flush(); err != nil {
		return "", err
	}
	return buf.String(), nil
}

// TemporalVariables lists the variables the Temporal connection reads, sorted: those the
// SDK's envconfig looks up (found by asking it, so an SDK upgrade that adds one shows
// up), the file and profile selectors, and the deprecated names. TEMPORAL_GRPC_META_*
// is a prefix, not listed.
func TemporalVariables() []string {
	rec := &recordingEnv{}
	_ = (&temporalenv.ClientConfigProfile{}).ApplyEnvVars(rec)
	names := append(rec.keys, "TEMPORAL_CONFIG_FILE", "TEMPORAL_PROFILE")
	for old := range Renamed {
		names = append(names, old)
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// recordingEnv answers "unset" to every lookup and remembers the names asked for.
type recordingEnv struct{ keys []string }

func (r *recordingEnv) Environ() []string { return nil }

func (r *recordingEnv) LookupEnv(key string) (string, bool) {
	r.keys = append(r.keys, key)
	return "", false
}
