// Package table turns an export's pages (gzip'd JSONL, one record a line, exactly as the
// API returned it) into typed Parquet files a warehouse reads directly. It owns the
// table's format: the schema inferred from the records (schema.json), the columns pagewise
// adds, the file layout and the writer's settings. It knows nothing of Temporal or of
// where pages and files are stored: callers hand it pages to read and a sink to write to.
package table

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// SchemaFormat names schema.json's layout; bump it on incompatible changes.
const SchemaFormat = "pagewise.schema/v1"

// Kind is a column's type as schema.json names it.
type Kind string

// The kinds a column can have. Numbers are int64 while every value seen is an integer
// that fits, double once one is not; null is a column only nulls were seen in (written as
// a string column). Timestamp comes only from a declared column (Declared).
const (
	Null      Kind = "null"
	Boolean   Kind = "boolean"
	Int64     Kind = "int64"
	Double    Kind = "double"
	String    Kind = "string"
	Timestamp Kind = "timestamp"
	JSON      Kind = "json"   // JSON text of the value, as the record holds it
	Object    Kind = "object" // a Parquet group of Fields
	List      Kind = "list"   // a Parquet list of Element
)

var kinds = []Kind{Null, Boolean, Int64, Double, String, Timestamp, JSON, Object, List}

// Valid reports whether k is one of the kinds above.
func (k Kind) Valid() bool { return slices.Contains(kinds, k) }

func (k Kind) scalar() bool { return k != Object && k != List && k != JSON }

// Column is one column of a record, or a field of a nested object, or a list's element.
type Column struct {
	Name string `json:"name"`
	Type Kind   `json:"type"`
	// Key is the record's own key where Name differs: a key pagewise's columns use, or one
	// a reader could not tell from a sibling's (keys differing only in case).
	Key     string    `json:"key,omitempty"`
	Fields  []*Column `json:"fields,omitempty"`  // Object
	Element *Column   `json:"element,omitempty"` // List

	byKey map[string]int // Fields by the record's key
	seen  uint16         // kinds this run's records carried, for Conflicts
}

// Conflict is a column whose records carried types no one Parquet type holds: it was
// widened (to string, or to JSON text where objects or arrays were among them) and every
// value kept.
type Conflict struct {
	Path string `json:"path"`
	Seen []Kind `json:"seen"`
	As   Kind   `json:"as"`
}

// Schema is a resource's table: its record columns, in the order they were first seen (a
// previous run's first, then declared ones, then new ones), the conflicts widened, and the
// columns pagewise adds (MetaColumns).
type Schema struct {
	Format    string     `json:"format"`
	Columns   []*Column  `json:"columns"`
	Meta      []*Column  `json:"pagewise_columns"`
	Conflicts []Conflict `json:"conflicts,omitempty"`

	root *Column
}

// Columns pagewise adds to every row: which export, when (the export's start, so a retry
// writes the same bytes), from which page object (its key inside the export's folder),
// and, with Options.Raw, the record itself byte for byte.
const (
	ColExportID    = "_pagewise_export_id"
	ColExtractedAt = "_pagewise_extracted_at"
	ColPage        = "_pagewise_page"
	ColRaw         = "_raw"
)

// Columns of tables kept across runs (package current), added with Schema.WithMeta: the
// record's id as rows are merged on it, when it was deleted, and the span a version of it
// held (history).
const (
	ColID        = "_pagewise_id"
	ColDeletedAt = "_deleted_at"
	ColValidFrom = "_valid_from"
	ColValidTo   = "_valid_to"
)

// reserved names are pagewise's own columns: a record key with one of these names gets
// a column of another name (Column.Key says which).
var reserved = []string{ColExportID, ColExtractedAt, ColPage, ColRaw, ColID, ColDeletedAt, ColValidFrom, ColValidTo}

func metaColumns(raw bool) []*Column {
	cols := []*Column{{Name: ColExportID, Type: String}, {Name: ColExtractedAt, Type: Timestamp}, {Name: ColPage, Type: String}}
	if raw {
		cols = append(cols, &Column{Name: ColRaw, Type: JSON})
	}
	return cols
}

// WithMeta is s with columns added after pagewise's own (before _raw), for tables whose
// rows carry more than an export's: each a string or timestamp column named by ColID,
// ColDeletedAt, ColValidFrom or ColValidTo. Their values go to RowWriter.Write in order.
func (s *Schema) WithMeta(extra ...*Column) (*Schema, error) {
	out := *s
	out.Meta = nil
	for _, c := range s.Meta {
		if c.Name == ColRaw {
			continue
		}
		out.Meta = append(out.Meta, c)
	}
	for _, c := range extra {
		if !slices.Contains(reserved[4:], c.Name) || (c.Type != String && c.Type != Timestamp) {
			return nil, fmt.Errorf("column %s (%s) is not one a table adds", c.Name, c.Type)
		}
		out.Meta = append(out.Meta, &Column{Name: c.Name, Type: c.Type})
	}
	for _, c := range s.Meta {
		if c.Name == ColRaw {
			out.Meta = append(out.Meta, c)
		}
	}
	return &out, nil
}

// ParseSchema reads a schema.json; a seed for the next run's inference.
func ParseSchema(b []byte) (*Schema, error) {
	var s Schema
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	if s.Format != SchemaFormat {
		return nil, fmt.Errorf("schema format %q, want %q", s.Format, SchemaFormat)
	}
	root := &Column{Type: Object, Fields: s.Columns}
	if err := root.check("", 0); err != nil {
		return nil, err
	}
	s.root = root
	return &s, nil
}

// maxDepth bounds nesting, in a seed as in records: Parquet readers and the shredder
// recurse on it.
const maxDepth = 64

// check rejects a schema that is not one Infer could have written.
func (c *Column) check(path string, depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("schema nests deeper than %d at %s", maxDepth, path)
	}
	if !c.Type.Valid() {
		return fmt.Errorf("schema: column %s has unknown type %q", path, c.Type)
	}
	switch {
	case c.Type == List && c.Element == nil, c.Type != List && c.Element != nil:
		return fmt.Errorf("schema: column %s: a list, and only a list, has an element", path)
	case c.Type != Object && len(c.Fields) > 0:
		return fmt.Errorf("schema: column %s has fields but is %s", path, c.Type)
	}
	c.byKey = make(map[string]int, len(c.Fields))
	names := map[string]bool{}
	for i, f := range c.Fields {
		if f == nil || f.Name == "" || names[strings.ToLower(f.Name)] {
			return fmt.Errorf("schema: object %s has an empty or repeated field name", path)
		}
		names[strings.ToLower(f.Name)] = true
		c.byKey[f.recordKey()] = i
		if err := f.check(path+"."+f.Name, depth+1); err != nil {
			return err
		}
	}
	if c.Element != nil {
		return c.Element.check(path+"[]", depth+1)
	}
	return nil
}

func (c *Column) recordKey() string {
	if c.Key != "" {
		return c.Key
	}
	return c.Name
}

// clone copies c deeply, without this run's seen kinds.
func (c *Column) clone() *Column {
	d := &Column{Name: c.Name, Type: c.Type, Key: c.Key, byKey: make(map[string]int, len(c.Fields))}
	for i, f := range c.Fields {
		d.Fields = append(d.Fields, f.clone())
		d.byKey[f.recordKey()] = i
	}
	if c.Element != nil {
		d.Element = c.Element.clone()
	}
	return d
}

// conflicts lists the columns under c whose kinds this run could not hold in one type.
func (c *Column) conflicts(path string, out map[string]Conflict) {
	if seen := c.seenKinds(); conflicting(seen) {
		out[path] = Conflict{Path: path, Seen: seen, As: c.Type}
	}
	for _, f := range c.Fields {
		f.conflicts(join(path, f.Name), out)
	}
	if c.Element != nil {
		c.Element.conflicts(path+"[]", out)
	}
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func (c *Column) seenKinds() []Kind {
	var out []Kind
	for i, k := range kinds {
		if c.seen&(1<<i) != 0 {
			out = append(out, k)
		}
	}
	return out
}

// conflicting: more than one kind other than int64 and double together (a number column
// that met a fraction is a double, not a conflict).
func conflicting(seen []Kind) bool {
	n := 0
	for _, k := range seen {
		if k != Int64 && k != Double {
			n++
		}
	}
	return n > 1 || (n == 1 && len(seen) > 1)
}

func mergeConflicts(prev []Conflict, now map[string]Conflict) []Conflict {
	for _, c := range prev {
		if cur, ok := now[c.Path]; ok {
			seen := append(slices.Clone(c.Seen), cur.Seen...)
			slices.SortFunc(seen, func(a, b Kind) int { return slices.Index(kinds, a) - slices.Index(kinds, b) })
			cur.Seen = slices.Compact(seen)
			now[c.Path] = cur
		} else {
			now[c.Path] = c
		}
	}
	out := make([]Conflict, 0, len(now))
	for _, c := range now {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b Conflict) int { return cmp.Compare(a.Path, b.Path) })
	return out
}

// JSON is schema.json's bytes: the same schema always gives the same bytes.
func (s *Schema) JSON() []byte {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		panic(err) // a Schema holds only strings, slices and pointers to its own kind
	}
	return append(b, '\n')
}
