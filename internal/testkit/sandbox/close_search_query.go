package sandbox

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"slices"
	"time"
)

// searchSpec is a parsed Advanced Filtering request.
type searchSpec struct {
	objectType   string // lead or contact
	conds        []momentCond
	sortField    string // "" (default order), date_created or date_updated
	desc         bool
	limit        int
	resultsLimit int // 0: none
	fields       []string
	counts       bool
	cursor       string
	hash         uint64 // of query, sort, _limit and results_limit: a cursor is valid only for it
}

// momentCond is one bound of a moment_range condition on a date field.
type momentCond struct {
	field, op string // op: gte (on_or_after), gt (after), lt (before), lte (on_or_before)
	at        time.Time
}

// searchError is a 400 field error: Close names the body field at fault.
type searchError struct{ field, msg string }

func (e *searchError) Error() string { return e.field + ": " + e.msg }

func badField(field, format string, args ...any) *searchError {
	return &searchError{field, fmt.Sprintf(format, args...)}
}

type searchField struct {
	Type       string `json:"type"`
	ObjectType string `json:"object_type"`
	FieldName  string `json:"field_name"`
}

type searchNode struct {
	Type       string            `json:"type"`
	Queries    []json.RawMessage `json:"queries"`
	ObjectType string            `json:"object_type"`
	Field      *searchField      `json:"field"`
	Condition  json.RawMessage   `json:"condition"`
	Negate     bool              `json:"negate"`
}

var searchTypes = []string{"lead", "contact"}

// parseQuery reads the and/object_type/field_condition subset of the query language. Every
// other query or condition type is a 400: the sandbox never answers a query it cannot read.
func (sp *searchSpec) parseQuery(raw json.RawMessage) *searchError {
	var conds []searchField
	if err := sp.node(raw, &conds); err != nil {
		return err
	}
	if sp.objectType == "" {
		return badField("query", "Add an object_type query: the sandbox searches %v.", searchTypes)
	}
	for _, f := range conds {
		if f.ObjectType != sp.objectType {
			return badField("query", "regular_field object_type %q must be the searched type %q.", f.ObjectType, sp.objectType)
		}
	}
	return nil
}

func (sp *searchSpec) node(raw json.RawMessage, fields *[]searchField) *searchError {
	var n searchNode
	if err := json.Unmarshal(raw, &n); err != nil || n.Type == "" {
		return badField("query", "Each query must be an object with a type.")
	}
	if n.Negate {
		return badField("query", "negate is not supported by the sandbox.")
	}
	switch n.Type {
	case "and":
		for _, q := range n.Queries {
			if err := sp.node(q, fields); err != nil {
				return err
			}
		}
	case "object_type":
		if !slices.Contains(searchTypes, n.ObjectType) || sp.objectType != "" && sp.objectType != n.ObjectType {
			return badField("query", "object_type must be one of %v, once.", searchTypes)
		}
		sp.objectType = n.ObjectType
	case "field_condition":
		f, err := dateField("query", n.Field)
		if err != nil {
			return err
		}
		*fields = append(*fields, *f)
		return sp.momentRange(f.FieldName, n.Condition)
	default:
		return badField("query", "Query type %q is not supported by the sandbox (and, object_type, field_condition).", n.Type)
	}
	return nil
}

// dateField accepts a regular_field date_created or date_updated.
func dateField(where string, f *searchField) (*searchField, *searchError) {
	if f == nil || f.Type != "regular_field" || (f.FieldName != "date_created" && f.FieldName != "date_updated") {
		return nil, badField(where, "The sandbox supports regular_field date_created and date_updated only.")
	}
	return f, nil
}

// momentRange reads {"type":"moment_range", on_or_after/after/before/on_or_before}: each bound
// null, absent or {"type":"fixed_utc","value":RFC 3339}.
func (sp *searchSpec) momentRange(field string, raw json.RawMessage) *searchError {
	var c map[string]json.RawMessage
	if json.Unmarshal(raw, &c) != nil || string(c["type"]) != `"moment_range"` {
		return badField("query", "The sandbox supports moment_range conditions only.")
	}
	for _, bound := range [][2]string{{"on_or_after", "gte"}, {"after", "gt"}, {"before", "lt"}, {"on_or_before", "lte"}} {
		name, op := bound[0], bound[1]
		b, ok := c[name]
		if !ok || string(b) == "null" {
			continue
		}
		var m struct{ Type, Value string }
		if json.Unmarshal(b, &m) != nil || m.Type != "fixed_utc" {
			return badField("query", "%s: the sandbox supports fixed_utc moments only.", name)
		}
		at, err := time.Parse(time.RFC3339Nano, m.Value)
		if err != nil {
			return badField("query", "%s: %q is not an RFC 3339 time.", name, m.Value)
		}
		sp.conds = append(sp.conds, momentCond{field, op, at})
	}
	return nil
}

// parseSort reads [] or one {"direction","field"} on the searched type.
func (sp *searchSpec) parseSort(raw json.RawMessage) *searchError {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var sorts []struct {
		Direction string       `json:"direction"`
		Field     *searchField `json:"field"`
	}
	if json.Unmarshal(raw, &sorts) != nil || len(sorts) > 1 {
		return badField("sort", "The sandbox sorts by at most one field.")
	}
	for _, s := range sorts {
		f, err := dateField("sort", s.Field)
		if err != nil {
			return err
		}
		if f.ObjectType != sp.objectType || (s.Direction != "asc" && s.Direction != "desc") {
			return badField("sort", "Sort the searched type with direction asc or desc.")
		}
		sp.sortField, sp.desc = f.FieldName, s.Direction == "desc"
	}
	return nil
}

// hashOf fingerprints the parts of a request a cursor belongs to, in canonical JSON.
func hashOf(parts ...json.RawMessage) uint64 {
	h := fnv.New64a()
	for _, p := range parts {
		var v any
		json.Unmarshal(p, &v)
		b, _ := json.Marshal(v)
		h.Write(b)
		h.Write([]byte{0})
	}
	return h.Sum64()
}
