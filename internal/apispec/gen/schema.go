package main

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// maxDepth bounds inline nesting; named schemas are referred to by name, so only inline
// schemas nest, and the specs' deepest is far shallower.
const maxDepth = 16

var schemaPrefixes = []string{"#/components/schemas/", "#/definitions/"}

// refName is the schema a $ref names, or "" for a ref to anything else.
func refName(ref string) string {
	for _, p := range schemaPrefixes {
		if name, ok := strings.CutPrefix(ref, p); ok && !strings.Contains(name, "/") {
			return name
		}
	}
	return ""
}

// pointer resolves a local JSON pointer.
func (c *converter) pointer(ref string) any {
	rest, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil
	}
	var cur any = c.root
	for _, part := range strings.Split(rest, "/") {
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		m, ok := cur.(node)
		if !ok {
			return nil
		}
		cur = m[part]
	}
	return cur
}

// deref follows $ref until a node without one.
func (c *converter) deref(v any) any {
	for range maxDepth {
		m, ok := v.(node)
		if !ok {
			return v
		}
		ref, ok := m["$ref"].(string)
		if !ok {
			return m
		}
		v = c.pointer(ref)
	}
	return nil
}

func (c *converter) derefNode(v any) node {
	m, _ := c.deref(v).(node)
	return m
}

func (c *converter) schemaNode(name string) any {
	for _, p := range schemaPrefixes {
		if v := c.pointer(p + name); v != nil {
			return v
		}
	}
	return nil
}

// objectLike reports whether a schema describes an object (so a $ref to it stays a ref).
func (c *converter) objectLike(v any, depth int) bool {
	m := c.derefNode(v)
	if m == nil || depth > maxDepth {
		return false
	}
	if _, ok := m["properties"]; ok || m["type"] == "object" || m["additionalProperties"] != nil {
		return true
	}
	for _, k := range []string{"allOf", "oneOf", "anyOf"} {
		parts, _ := m[k].([]any)
		var objects, others int
		for _, p := range parts {
			switch {
			case isNull(c.derefNode(p)):
			case c.objectLike(p, depth+1):
				objects++
			default:
				others++
			}
		}
		if objects > 0 && others == 0 {
			return true
		}
	}
	return false
}

func isNull(m node) bool { return m != nil && m["type"] == "null" }

// convert is a field of the named schema: a ref when it names an object schema.
func (c *converter) convert(name string, v any, depth int) field {
	m, _ := v.(node)
	if ref, ok := m["$ref"].(string); ok {
		if target := refName(ref); target != "" && c.objectLike(m, 0) {
			c.needed[target] = true
			f := field{name: name, typ: "object", ref: target}
			f.desc = text(m["description"])
			return f
		}
	}
	return c.inline(name, v, depth)
}

// inline converts a schema in place: allOf merged, oneOf/anyOf of objects merged, a single
// non-null variant taken with nullable.
func (c *converter) inline(name string, v any, depth int) field {
	f := field{name: name}
	m := c.derefNode(v)
	if m == nil || depth > maxDepth {
		return f
	}
	f.desc = text(m["description"])
	if parts, ok := m["allOf"].([]any); ok {
		if _, props := m["properties"]; len(parts) == 1 && !props && m["type"] == nil {
			g := c.convert(name, parts[0], depth+1)
			g.nullable = g.nullable || nullable(m)
			return g
		}
		for _, p := range parts {
			f = merge(f, c.inline(name, p, depth+1))
		}
	}
	for _, k := range []string{"oneOf", "anyOf"} {
		parts, ok := m[k].([]any)
		if !ok {
			continue
		}
		var variants []any
		for _, p := range parts {
			if isNull(c.derefNode(p)) {
				f.nullable = true
			} else {
				variants = append(variants, p)
			}
		}
		switch {
		case len(variants) == 1:
			g := c.convert(name, variants[0], depth+1)
			g.nullable = g.nullable || f.nullable
			f = merge(f, g)
		case c.objectLike(node{k: variants}, 0):
			var all field
			for n, p := range variants {
				g := unrequire(c.inline(name, p, depth+1))
				if n == 0 {
					all = g
				} else {
					all = c.unite(all, g)
				}
			}
			f = merge(f, all)
		default:
			for _, p := range variants {
				g := c.inline(name, p, depth+1)
				f.typ = union(f.typ, g.typ)
				f.enum = uniteEnum(f.enum, g.enum)
				f.nullable = f.nullable || g.nullable
			}
		}
	}
	own := field{name: name, format: text(m["format"]), def: defaultOf(m["default"])}
	own.typ, own.nullable = typeOf(m["type"])
	own.nullable = own.nullable || nullable(m)
	var null bool
	own.enum, null = enumOf(m["enum"])
	own.nullable = own.nullable || null
	own.min, own.max = number(m["minimum"]), number(m["maximum"])
	if props, ok := m["properties"].(node); ok {
		required, _ := m["required"].([]any)
		for _, k := range sortedKeys(props) {
			g := c.convert(k, props[k], depth+1)
			g.required = slices.Contains(required, any(k))
			own.fields = append(own.fields, g)
		}
		if own.typ == "" {
			own.typ = "object"
		}
	}
	switch ap := m["additionalProperties"].(type) {
	case bool:
		own.open = ap
	case node:
		// Any property name: its value's shape, under the name "*".
		own.open = true
		if len(ap) > 0 {
			own.fields = append(own.fields, c.convert("*", ap, depth+1))
		}
	}
	if own.open && own.typ == "" {
		own.typ = "object"
	}
	if own.typ == "array" {
		if items := m["items"]; items != nil {
			it := c.convert("", items, depth+1)
			own.items, own.ref, own.fields, own.open = it.typ, it.ref, it.fields, it.open
			if len(own.enum) == 0 {
				own.enum = it.enum
			}
		}
	}
	return merge(f, own)
}

// merge lays b over a: b's non-zero facts win, fields are united by name (b's replace a's).
func merge(a, b field) field {
	if b.typ != "" {
		a.typ = b.typ
	}
	if b.format != "" {
		a.format = b.format
	}
	if b.def != "" {
		a.def = b.def
	}
	if b.desc != "" {
		a.desc = b.desc
	}
	if len(b.enum) > 0 {
		a.enum = b.enum
	}
	if b.min != nil {
		a.min = b.min
	}
	if b.max != nil {
		a.max = b.max
	}
	if b.items != "" {
		a.items = b.items
	}
	if b.ref != "" {
		a.ref = b.ref
	}
	a.nullable = a.nullable || b.nullable
	a.required = a.required || b.required
	a.open = a.open || b.open
	for _, g := range b.fields {
		if i := slices.IndexFunc(a.fields, func(h field) bool { return h.name == g.name }); i >= 0 {
			a.fields[i] = g
		} else {
			a.fields = append(a.fields, g)
		}
	}
	sortFields(a.fields)
	return a
}

// unrequire: a property one variant of several requires is not required of the merge.
func unrequire(f field) field {
	out := f
	out.fields = slices.Clone(f.fields)
	for k := range out.fields {
		out.fields[k].required = false
	}
	return out
}

func nullable(m node) bool { return m["nullable"] == true || m["x-nullable"] == true }

// typeOf reads type: a name, or a list of them (OpenAPI 3.1) where "null" makes nullable.
func typeOf(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		if x == "null" {
			return "", true
		}
		return x, false
	case []any:
		var names []string
		null := false
		for _, t := range x {
			if t == "null" {
				null = true
			} else {
				names = append(names, text(t))
			}
		}
		return strings.Join(names, "|"), null
	}
	return "", false
}

// unite is a and b as the variants of one value: types and enums united, fields united
// by name, each field itself united.
func (c *converter) unite(a, b field) field {
	a.typ = union(a.typ, b.typ)
	if a.format != b.format {
		a.format = ""
	}
	a.enum = uniteEnum(a.enum, b.enum)
	a.nullable = a.nullable || b.nullable
	a.open = a.open || b.open
	if a.ref != b.ref {
		// Different schemas under one name: their fields united inline.
		a, b = c.expand(a), c.expand(b)
	}
	if a.items != b.items {
		a.items = union(a.items, b.items)
	}
	a.fields = slices.Clone(a.fields)
	for _, g := range b.fields {
		if i := slices.IndexFunc(a.fields, func(h field) bool { return h.name == g.name }); i >= 0 {
			a.fields[i] = c.unite(a.fields[i], g)
		} else {
			a.fields = append(a.fields, g)
		}
	}
	sortFields(a.fields)
	return a
}

// expand replaces a field's schema name with the schema's fields.
func (c *converter) expand(f field) field {
	if f.ref == "" {
		return f
	}
	s := c.inline("", c.schemaNode(f.ref), 0)
	f.ref, f.fields, f.open = "", s.fields, f.open || s.open
	return f
}

func union(a, b string) string {
	if a == "" {
		return b
	}
	if b == "" || slices.Contains(strings.Split(a, "|"), b) {
		return a
	}
	return a + "|" + b
}

func uniteEnum(a, b []string) []string {
	for _, v := range b {
		if !slices.Contains(a, v) {
			a = append(a, v)
		}
	}
	return a
}

// enumOf is the allowed values as text; a null among them makes the field nullable.
func enumOf(v any) ([]string, bool) {
	list, _ := v.([]any)
	var out []string
	null := false
	for _, e := range list {
		if e == nil {
			null = true
			continue
		}
		out = append(out, text(e))
	}
	return out, null
}

func defaultOf(v any) string {
	if v == nil {
		return ""
	}
	return text(v)
}

func number(v any) *float64 {
	if f, ok := v.(float64); ok {
		return &f
	}
	return nil
}

func formatNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// Page-size limits some specs state only in words: "the maximum is `50`", "Limit can range
// between 1 and 200", "Must be between 1 and 200".
var (
	maxIs   = regexp.MustCompile("(?i)\\bmaximum is `?(\\d+)`?")
	between = regexp.MustCompile("(?i)\\bbetween `?(\\d+)`? and `?(\\d+)`?")
)

// limitFromText takes a page-size parameter's maximum from its description when the
// schema states none.
func limitFromText(f *field, desc string) {
	if f.max != nil || (f.name != "limit" && f.name != "_limit") || (f.typ != "integer" && f.typ != "number") {
		return
	}
	if m := maxIs.FindStringSubmatch(desc); m != nil {
		v, _ := strconv.ParseFloat(m[1], 64)
		f.max, f.maxFrom = &v, "description"
	} else if m := between.FindStringSubmatch(desc); m != nil {
		lo, _ := strconv.ParseFloat(m[1], 64)
		hi, _ := strconv.ParseFloat(m[2], 64)
		f.max, f.maxFrom = &hi, "description"
		if f.min == nil {
			f.min = &lo
		}
	}
}
