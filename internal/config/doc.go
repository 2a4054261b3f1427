package config

import (
	"bytes"
	"text/tabwriter"

	"github.com/kelseyhightower/envconfig"
)

// tableFormat renders envconfig's usage as a Markdown table.
const tableFormat = `| variable | default | meaning |
|---|---|---|
{{range .}}| ` + "`{{usage_key .}}`" + ` | {{with usage_default .}}` + "`{{.}}`" + `{{end}} | {{usage_description .}} |
{{end}}`

// MarkdownTable documents every variable the worker reads, from the struct tags, so the
// README cannot drift from the code (a test compares them).
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
