package table

import (
	"reflect"
	"strings"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"
	"github.com/parquet-go/parquet-go/encoding"
)

// group is a Parquet group whose fields keep the schema's order; parquet.Group sorts them
// by name, which would put a record's columns in alphabetical order.
type group []parquet.Field

type field struct {
	parquet.Node
	name string
}

func (f field) Name() string { return f.name }

// Value is for writers that map Go values to rows; rows here are built by the shredder.
func (f field) Value(reflect.Value) reflect.Value { return reflect.Value{} }

func (g group) ID() int            { return 0 }
func (g group) Type() parquet.Type { return parquet.Group{}.Type() }
func (g group) Optional() bool     { return false }
func (g group) Repeated() bool     { return false }
func (g group) Required() bool     { return true }
func (g group) Leaf() bool         { return false }
func (g group) Fields() []parquet.Field {
	return g
}
func (g group) Encoding() encoding.Encoding { return nil }
func (g group) Compression() compress.Codec { return nil }
func (g group) GoType() reflect.Type        { return reflect.TypeFor[map[string]any]() }
func (g group) String() string {
	names := make([]string, len(g))
	for i, f := range g {
		names[i] = f.Name()
	}
	return "group{" + strings.Join(names, ", ") + "}"
}

// leaf is where one leaf column's values go: its kind and index among the leaves.
type leaf struct {
	kind  Kind
	index int
}

// plan is a schema laid out for writing: its Parquet root and, for every column, the
// levels and leaf columns the shredder needs.
type plan struct {
	root   group
	record []*slot        // the record's columns
	byKey  map[string]int // record by the record's keys
	meta   []*slot        // pagewise's columns, after the record's
	leaves int
}

// slot is one column of the plan. Every column is optional; a list's repeated level sits
// between it and its element.
type slot struct {
	col      *Column
	leaf     leaf    // leaf columns
	fields   []*slot // objects
	byKey    map[string]int
	element  *slot // lists
	repLevel int   // a list's repetition level (its element's values repeat at it)
	first    int   // the first and one past the last leaf index under this slot
	end      int
}

func newPlan(s *Schema) *plan {
	p := &plan{byKey: make(map[string]int, len(s.Columns))}
	for i, c := range s.Columns {
		sl, node := p.layout(c, 0)
		p.record = append(p.record, sl)
		p.byKey[c.recordKey()] = i
		p.root = append(p.root, field{Node: node, name: c.Name})
	}
	for _, c := range s.Meta {
		sl, node := p.layout(c, 0)
		p.meta = append(p.meta, sl)
		p.root = append(p.root, field{Node: node, name: c.Name})
	}
	return p
}

// layout assigns c's leaves their indexes, depth-first in schema order as Parquet
// numbers them, and returns its slot and node. rep is the repetition depth above c.
func (p *plan) layout(c *Column, rep int) (*slot, parquet.Node) {
	sl := &slot{col: c, first: p.leaves}
	var node parquet.Node
	switch c.Type {
	case Object:
		g := make(group, len(c.Fields))
		sl.byKey = make(map[string]int, len(c.Fields))
		for i, f := range c.Fields {
			child, n := p.layout(f, rep)
			sl.fields = append(sl.fields, child)
			sl.byKey[f.recordKey()] = i
			g[i] = field{Node: n, name: f.Name}
		}
		node = g
	case List:
		sl.repLevel = rep + 1
		child, n := p.layout(c.Element, rep+1)
		sl.element = child
		node = parquet.List(n)
	default:
		sl.leaf = leaf{kind: c.Type, index: p.leaves}
		p.leaves++
		node = leafNode(c)
	}
	sl.end = p.leaves
	return sl, parquet.Optional(node)
}

func leafNode(c *Column) parquet.Node {
	switch c.Type {
	case Boolean:
		return parquet.Leaf(parquet.BooleanType)
	case Int64:
		return parquet.Int(64)
	case Double:
		return parquet.Leaf(parquet.DoubleType)
	case Timestamp:
		return parquet.Timestamp(parquet.Microsecond)
	case JSON:
		return parquet.JSON()
	}
	if c.Name == ColExportID || c.Name == ColPage {
		// One value for every row of an export, or of a page: a dictionary holds it once.
		return parquet.Encoded(parquet.String(), &parquet.RLEDictionary)
	}
	return parquet.String() // string, and null: a column no record gave a value
}
