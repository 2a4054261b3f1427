package table

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/parquet-go/jsonlite"
)

// Declared is what a provider's reference says of a resource's top-level fields: name to
// kind. Declared columns exist even where no record carries them, and seed their type;
// records that disagree widen it like any other conflict.
type Declared map[string]Kind

// Inferrer builds a schema from records, one at a time: pass one of two.
type Inferrer struct {
	root    *Column
	prev    []Conflict
	records int64
}

// NewInferrer starts from seed (the previous run's schema; nil for none), then the
// declared columns not in it, in name order.
func NewInferrer(seed *Schema, declared Declared) (*Inferrer, error) {
	in := &Inferrer{root: &Column{Type: Object, byKey: map[string]int{}}}
	if seed != nil {
		in.root = (&Column{Type: Object, Fields: seed.Columns}).clone()
		in.prev = seed.Conflicts
	}
	for _, name := range slices.Sorted(maps.Keys(declared)) {
		k := declared[name]
		if !k.scalar() && k != JSON {
			return nil, fmt.Errorf("declared column %q: %s needs its structure; declare json or leave it out", name, k)
		}
		if !k.Valid() {
			return nil, fmt.Errorf("declared column %q has unknown type %q", name, k)
		}
		if _, ok := in.root.byKey[name]; !ok {
			in.root.add(name, k)
		}
	}
	for _, f := range in.root.Fields {
		f.seed()
	}
	return in, nil
}

// seed marks the types a column starts with as seen, so that records of another type
// are recorded as a conflict with them. JSON holds anything, and null nothing.
func (c *Column) seed() {
	if c.Type != Null && c.Type != JSON {
		c.seen |= 1 << slices.Index(kinds, c.Type)
	}
	for _, f := range c.Fields {
		f.seed()
	}
	if c.Element != nil {
		c.Element.seed()
	}
}

// Add widens the schema by one record: a JSON object, a line of a page.
func (in *Inferrer) Add(record []byte) error {
	v, err := parse(record)
	if err != nil {
		return err
	}
	in.records++
	in.root.observe(v)
	return nil
}

// parse reads one record, which must be a JSON object.
func parse(record []byte) (*jsonlite.Value, error) {
	v, err := jsonlite.ParseMaxDepth(unsafeString(record), maxDepth)
	if err != nil {
		return nil, fmt.Errorf("a record is not valid JSON: %w", err)
	}
	if v.Kind() != jsonlite.Object {
		return nil, fmt.Errorf("a record is a JSON %s, not an object", kindName(v.Kind()))
	}
	return v, nil
}

// Records is how many records Add took.
func (in *Inferrer) Records() int64 { return in.records }

// Schema is the table for the records added so far; raw adds the _raw column.
func (in *Inferrer) Schema(raw bool) *Schema {
	root := in.root.clone()
	root.seen = in.root.seen
	copySeen(root, in.root)
	now := map[string]Conflict{}
	for _, f := range root.Fields {
		f.conflicts(f.Name, now)
	}
	finish(root)
	s := &Schema{Format: SchemaFormat, Columns: root.Fields, Meta: metaColumns(raw), Conflicts: mergeConflicts(in.prev, now), root: root}
	if s.Columns == nil {
		s.Columns = []*Column{}
	}
	return s
}

func copySeen(dst, src *Column) {
	dst.seen = src.seen
	for i := range dst.Fields {
		copySeen(dst.Fields[i], src.Fields[i])
	}
	if dst.Element != nil {
		copySeen(dst.Element, src.Element)
	}
}

// finish makes an object no record gave a field a JSON column: Parquet has no empty group.
func finish(c *Column) {
	for _, f := range c.Fields {
		finish(f)
	}
	if c.Element != nil {
		finish(c.Element)
	}
	if c.Type == Object && len(c.Fields) == 0 {
		c.Type, c.byKey = JSON, nil
	}
}

// observe widens c by one value.
func (c *Column) observe(v *jsonlite.Value) {
	k := valueKind(v)
	if k == Null {
		return
	}
	if k == String && c.Type == Timestamp {
		if _, err := parseTime(v.String()); err == nil {
			k = Timestamp // a declared timestamp's string: no conflict
		}
	}
	c.seen |= 1 << slices.Index(kinds, k)
	c.Type = widen(c.Type, k, v)
	switch {
	case c.Type == Object:
		v.Object(func(key string, f *jsonlite.Value) bool {
			i, ok := c.byKey[key]
			if !ok {
				i = c.add(key, Null)
			}
			c.Fields[i].observe(f)
			return true
		})
	case c.Type == List:
		if c.Element == nil {
			c.Element = &Column{Name: "element", Type: Null, byKey: map[string]int{}}
		}
		v.Array(func(e *jsonlite.Value) bool {
			c.Element.observe(e)
			return true
		})
	case c.Type == JSON:
		c.Fields, c.Element, c.byKey = nil, nil, nil
	}
}

// widen is the type that holds both a column of type have and a value of kind k.
func widen(have, k Kind, v *jsonlite.Value) Kind {
	switch {
	case have == Null, have == k:
		return k
	case have == JSON, k == Object || k == List || have == Object || have == List:
		return JSON
	case (have == Int64 && k == Double) || (have == Double && k == Int64):
		return Double
	}
	return String
}

// add appends a field for the record's key; a key that is pagewise's, or that a reader
// could not tell from a sibling's, gets a name of its own. It returns the field's index.
func (c *Column) add(key string, k Kind) int {
	name := key
	for c.taken(name) {
		name += "_"
	}
	col := &Column{Name: name, Type: k, byKey: map[string]int{}}
	if name != key {
		col.Key = key
	}
	c.Fields = append(c.Fields, col)
	if c.byKey == nil {
		c.byKey = map[string]int{}
	}
	c.byKey[key] = len(c.Fields) - 1
	return len(c.Fields) - 1
}

// taken: the name is empty, a sibling's in any case (DuckDB's and Athena's names are
// case-insensitive), or, at the top, one of pagewise's columns.
func (c *Column) taken(name string) bool {
	if name == "" {
		return true
	}
	for _, f := range c.Fields {
		if strings.EqualFold(f.Name, name) {
			return true
		}
	}
	if c.Name == "" { // the record itself
		for _, r := range reserved {
			if strings.EqualFold(r, name) {
				return true
			}
		}
	}
	return false
}

// valueKind is the kind a value has on its own: a number is int64 when it is an integer
// that fits, double when it has a fraction or exponent, and string (its text, exactly) when
// it is an integer too large for int64 or a number too large for a double.
func valueKind(v *jsonlite.Value) Kind {
	switch v.Kind() {
	case jsonlite.Null:
		return Null
	case jsonlite.True, jsonlite.False:
		return Boolean
	case jsonlite.Number:
		s := rawJSON(v)
		if !strings.ContainsAny(s, ".eE") {
			if _, err := strconv.ParseInt(s, 10, 64); err == nil {
				return Int64
			}
			return String
		}
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			return String
		}
		return Double
	case jsonlite.String:
		return String
	case jsonlite.Object:
		return Object
	default:
		return List
	}
}

func kindName(k jsonlite.Kind) string {
	switch k {
	case jsonlite.Null:
		return "null"
	case jsonlite.True, jsonlite.False:
		return "boolean"
	case jsonlite.Number:
		return "number"
	case jsonlite.String:
		return "string"
	case jsonlite.Array:
		return "array"
	}
	return "object"
}

// parseTime reads a declared timestamp: RFC 3339, as the providers write them.
func parseTime(s string) (time.Time, error) { return time.Parse(time.RFC3339Nano, s) }
