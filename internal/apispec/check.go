package apispec

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Problem is one way a request departs from its endpoint's facts.
type Problem struct {
	// Param is the query parameter, or "body.<name>" for a body property.
	Param string
	// What is the departure: "not listed", "required, not sent", a value outside the enum,
	// of the wrong type or over a limit, or a field the record does not have.
	What string
}

func (p Problem) String() string { return p.Param + ": " + p.What }

// fieldsParams are the query parameters whose value names record fields.
var fieldsParams = []string{"fields", "_fields"}

// Check holds a request's query and, when it has one, its JSON object body to the facts.
func (e Endpoint) Check(q url.Values, body map[string]json.RawMessage) []Problem {
	var out []Problem
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for k := range q {
			if !yield(k) {
				return
			}
		}
	}) {
		f, ok := e.Param(name)
		if !ok {
			out = append(out, Problem{name, "not listed"})
			continue
		}
		for _, v := range q[name] {
			if what := f.checkText(v); what != "" {
				out = append(out, Problem{name, what})
			}
		}
		if slices.Contains(fieldsParams, name) {
			for _, v := range q[name] {
				out = append(out, e.checkFieldNames(name, v)...)
			}
		}
	}
	for _, f := range e.Query {
		if f.Required && !q.Has(f.Name) {
			out = append(out, Problem{f.Name, "required, not sent"})
		}
	}
	if body != nil {
		out = append(out, e.checkBody(body)...)
	}
	return out
}

func (e Endpoint) checkBody(body map[string]json.RawMessage) []Problem {
	var out []Problem
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for k := range body {
			if !yield(k) {
				return
			}
		}
	}) {
		f, ok := e.BodyField(name)
		if !ok {
			out = append(out, Problem{"body." + name, "not listed"})
			continue
		}
		if what := f.checkJSON(body[name]); what != "" {
			out = append(out, Problem{"body." + name, what})
		}
	}
	for _, f := range e.Body {
		if _, sent := body[f.Name]; f.Required && !sent {
			out = append(out, Problem{"body." + f.Name, "required, not sent"})
		}
	}
	return out
}

// checkText holds one query value to the field's type, enum and limits.
func (f Field) checkText(v string) string {
	if f.Type == "array" {
		for _, item := range strings.Split(v, ",") {
			if what := (Field{Type: f.Items, Enum: f.Enum}).checkText(item); what != "" {
				return what
			}
		}
		return ""
	}
	if f.Nullable && v == "" {
		return ""
	}
	if len(f.Enum) > 0 && !slices.Contains(f.Enum, v) {
		return fmt.Sprintf("%q is not one of %s", clip(v), strings.Join(f.Enum, ", "))
	}
	switch f.Type {
	case "integer", "number":
		n, err := strconv.ParseFloat(v, 64)
		if err != nil || f.Type == "integer" && n != float64(int64(n)) {
			return fmt.Sprintf("%q is not an %s", clip(v), f.Type)
		}
		return f.checkNumber(n)
	case "boolean":
		if v != "true" && v != "false" {
			return fmt.Sprintf("%q is not a boolean", clip(v))
		}
	}
	return ""
}

// checkJSON holds one body value to the field's type, enum and limits.
func (f Field) checkJSON(raw json.RawMessage) string {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return "not JSON"
	}
	if v == nil {
		if f.Nullable || f.Type == "" {
			return ""
		}
		return "null, which the spec does not allow"
	}
	want := f.Type
	got := jsonType(v)
	if want != "" && !slices.Contains(strings.Split(want, "|"), got) &&
		(got != "integer" || !strings.Contains(want, "number")) {
		return fmt.Sprintf("a JSON %s, not %s", got, want)
	}
	if s, ok := v.(string); ok && len(f.Enum) > 0 && !slices.Contains(f.Enum, s) {
		return fmt.Sprintf("%q is not one of %s", clip(s), strings.Join(f.Enum, ", "))
	}
	if n, ok := v.(float64); ok {
		return f.checkNumber(n)
	}
	return ""
}

func jsonType(v any) string {
	switch x := v.(type) {
	case bool:
		return "boolean"
	case float64:
		if x == float64(int64(x)) {
			return "integer"
		}
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	}
	return "object"
}

func (f Field) checkNumber(n float64) string {
	switch {
	case f.Max != nil && n > *f.Max:
		return fmt.Sprintf("%v is over the maximum %v", n, *f.Max)
	case f.Min != nil && n < *f.Min:
		return fmt.Sprintf("%v is under the minimum %v", n, *f.Min)
	}
	return ""
}

// Unasked are the record's fields (by the facts) a field selection leaves out: an export
// sending it gets less than the whole record. A field standing for a prefix (custom.cf_*)
// is left out of the list: its parent (custom) names them all.
func (e Endpoint) Unasked(selection string) []string {
	asked := map[string]bool{}
	for _, sel := range splitFields(selection) {
		asked[sel.name] = true
	}
	var out []string
	for _, f := range e.RecordFields() {
		if !asked[f.Name] && !strings.HasSuffix(f.Name, "*") {
			out = append(out, f.Name)
		}
	}
	return out
}

// checkFieldNames holds a fields selection (Clio's "a,b{c,d}", Close's "a,b") to the
// record's fields, where the spec names them and takes no others.
func (e Endpoint) checkFieldNames(param, value string) []Problem {
	fields := e.RecordFields()
	if len(fields) == 0 || e.RecordOpen() {
		return nil
	}
	var out []Problem
	for _, sel := range splitFields(value) {
		f, ok := fieldNamed(fields, sel.name)
		if !ok {
			out = append(out, Problem{param, fmt.Sprintf("%q is not a field of the record", clip(sel.name))})
			continue
		}
		nested := e.Nested(f)
		if len(sel.sub) == 0 || len(nested) == 0 || e.openField(f) {
			continue
		}
		for _, s := range sel.sub {
			if _, ok := fieldNamed(nested, s); !ok {
				out = append(out, Problem{param, fmt.Sprintf("%q is not a field of %s", clip(s), f.Name)})
			}
		}
	}
	return out
}

func (e Endpoint) openField(f Field) bool {
	if f.Ref != "" && e.doc != nil {
		return e.doc.Schemas[f.Ref].Open
	}
	return f.Open
}

// fieldNamed finds name among fields, where a field named "prefix*" stands for every name
// with that prefix.
func fieldNamed(fields []Field, name string) (Field, bool) {
	for _, f := range fields {
		if f.Name == name || strings.HasSuffix(f.Name, "*") && strings.HasPrefix(name, strings.TrimSuffix(f.Name, "*")) {
			return f, true
		}
	}
	return Field{}, false
}

type selection struct {
	name string
	sub  []string
}

// splitFields parses "a,b{c,d},e" into its top-level names and their sub-fields.
func splitFields(v string) []selection {
	var out []selection
	depth, start := 0, 0
	flush := func(end int) {
		part := strings.TrimSpace(v[start:end])
		if part == "" {
			return
		}
		name, rest, nested := strings.Cut(part, "{")
		s := selection{name: strings.TrimSpace(name)}
		if nested {
			for _, sub := range strings.Split(strings.TrimSuffix(rest, "}"), ",") {
				if sub = strings.TrimSpace(sub); sub != "" {
					s.sub = append(s.sub, sub)
				}
			}
		}
		out = append(out, s)
	}
	for k := 0; k < len(v); k++ {
		switch v[k] {
		case '{':
			depth++
		case '}':
			depth--
		case ',':
			if depth == 0 {
				flush(k)
				start = k + 1
			}
		}
	}
	flush(len(v))
	return out
}

// clip keeps a value short in a problem's text.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
