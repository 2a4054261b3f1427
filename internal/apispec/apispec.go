// Package apispec holds facts generated from the providers' machine-readable API specs
// (../shared/specs): per endpoint its method, path, query and body parameters, and the
// fields of its response record. The *_gen.go files are written by `go generate` (./gen);
// readings.go adds, by hand and marked as such, what a spec leaves out and the connectors
// rely on. Nothing here is copied prose: names, types, enums, limits, required-ness.
package apispec

import (
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

//go:generate go run ./gen -specs ../../../shared/specs -out .

// Document is one spec file and the facts taken from it.
type Document struct {
	Provider string
	File     string // path under the specs folder
	Format   string // e.g. "OpenAPI 3.1.0", "Swagger 2.0"
	Version  string // info.version
	SHA256   string // of the file as stored
	// Base is the path every endpoint's path is under (servers[0] or basePath).
	Base      string
	Endpoints []Endpoint
	// Schemas are the named schemas the endpoints' fields refer to, with allOf merged.
	Schemas map[string]Schema
}

// Endpoint is one operation: every GET, and every POST that answers with a list.
type Endpoint struct {
	Method string
	// Path is the request path with the document's base, e.g. "/api/v1/lead/"; a {name}
	// part matches one path segment or part of one ("{id}.json").
	Path string
	// List is true when the answer holds a list of records (a data array or a bare array).
	List  bool
	Query []Field
	Body  []Field // top-level properties of a JSON request body
	// Record describes one record of the answer: a list's element, or the data object (or
	// whole answer) of a single one. Its zero value means the spec gives no fields.
	Record Field
	// Reading, when set, says the endpoint or some of its facts come from readings.go, not
	// the spec: the reference page the reading was taken from.
	Reading string

	doc *Document
}

// Field is a parameter, a body property or a record's field.
type Field struct {
	Name     string
	Type     string // object, array, string, integer, number, boolean; "a|b" for a union; "" for any
	Format   string
	Nullable bool
	Required bool
	Enum     []string
	Default  string
	Min, Max *float64
	// MaxFrom is "description" when the maximum is stated only in the description's text
	// ("the maximum is 50"), not as a schema keyword.
	MaxFrom string
	// Items is an array's element type.
	Items string
	// Ref names the schema (Document.Schemas) of an object, or of an array's elements.
	Ref string
	// Fields are an inline object's properties, or an array's inline element properties; for
	// a oneOf/anyOf of objects, every variant's properties.
	Fields []Field
	// Open is an object that takes properties the spec does not name (additionalProperties).
	Open bool
	// Reading is the reference page a hand-added fact comes from (readings.go); "" for the spec.
	Reading string
}

// Schema is a named object schema, allOf parts merged.
type Schema struct {
	Fields []Field
	Open   bool
	// Discriminator is the property whose value names the variant (Swagger 2: the variant
	// schema's own name); Variants are the schemas that extend this one through allOf.
	Discriminator string
	Variants      []string
}

// num is a limit in generated tables.
func num(v float64) *float64 { return &v }

var documents []*Document

// register adds a generated document; generated files call it from init.
func register(d *Document) {
	for k := range d.Endpoints {
		d.Endpoints[k].doc = d
	}
	documents = append(documents, d)
	slices.SortFunc(documents, func(a, b *Document) int { return strings.Compare(a.File, b.File) })
}

// Documents lists every generated document, by file name.
func Documents() []*Document { return slices.Clone(documents) }

// Doc is the document an endpoint was generated from (nil for a reading of its own).
func (e Endpoint) Doc() *Document { return e.doc }

// lookups caches Lookup's answers (the sandbox asks for every request), up to maxCached
// distinct paths; the facts never change while a program runs.
var (
	lookups   sync.Map
	cached    atomic.Int64
	maxCached = int64(10000)
)

type lookedUp struct {
	e  Endpoint
	ok bool
}

// Lookup is the endpoint of provider that method and path (a request path, or a pattern
// such as "/v2/objects/{object}/records/query") reach, with the readings applied; ok is
// false when neither a spec nor a reading has it. The most literal pattern wins. The
// answer is shared: do not modify its slices.
func Lookup(provider, method, path string) (Endpoint, bool) {
	key := provider + " " + method + " " + path
	if v, ok := lookups.Load(key); ok {
		l := v.(lookedUp)
		return l.e, l.ok
	}
	e, ok := resolve(provider, method, path)
	if cached.Load() < maxCached {
		if _, loaded := lookups.LoadOrStore(key, lookedUp{e, ok}); !loaded {
			cached.Add(1)
		}
	}
	return e, ok
}

func resolve(provider, method, path string) (Endpoint, bool) {
	var best *Endpoint
	score := -1
	consider := func(e *Endpoint) {
		if s, ok := match(e.Path, path); ok && e.Method == method && s > score {
			best, score = e, s
		}
	}
	for _, d := range documents {
		if d.Provider != provider {
			continue
		}
		for k := range d.Endpoints {
			consider(&d.Endpoints[k])
		}
	}
	for k := range readings {
		if r := &readings[k]; r.Provider == provider && r.Endpoint != nil {
			consider(r.Endpoint)
		}
	}
	if best == nil {
		return Endpoint{}, false
	}
	return applyReadings(provider, *best), true
}

// Endpoints is every endpoint of provider's documents and readings, readings applied.
func Endpoints(provider string) []Endpoint {
	var out []Endpoint
	for _, d := range documents {
		if d.Provider == provider {
			for _, e := range d.Endpoints {
				out = append(out, applyReadings(provider, e))
			}
		}
	}
	for _, r := range readings {
		if r.Provider == provider && r.Endpoint != nil {
			out = append(out, applyReadings(provider, *r.Endpoint))
		}
	}
	return out
}

// match reports whether path fits pattern, and how literal the fit is (literal segments).
// A pattern's {name} matches a non-empty run without "/"; a path's own {name} matches it too.
func match(pattern, path string) (int, bool) {
	p, q := strings.Split(pattern, "/"), strings.Split(path, "/")
	if len(p) != len(q) {
		return 0, false
	}
	literal := 0
	for k := range p {
		switch {
		case p[k] == q[k]:
			literal++
		case !segment(p[k], q[k]):
			return 0, false
		}
	}
	return literal, true
}

// segment matches one segment with at most one {name} ("{id}.json", "{id}").
func segment(pattern, s string) bool {
	open := strings.IndexByte(pattern, '{')
	end := strings.IndexByte(pattern, '}')
	if open < 0 || end < open {
		return false
	}
	prefix, suffix := pattern[:open], pattern[end+1:]
	return len(s) > len(prefix)+len(suffix) && strings.HasPrefix(s, prefix) && strings.HasSuffix(s, suffix)
}

// Param is the named query parameter; a name ending in [] or with a [key] suffix also
// matches the listed base name (Clio's ids[], custom_field_values[12345]).
func (e Endpoint) Param(name string) (Field, bool) {
	return find(e.Query, name)
}

// BodyField is the named top-level body property.
func (e Endpoint) BodyField(name string) (Field, bool) { return find(e.Body, name) }

func find(fields []Field, name string) (Field, bool) {
	for _, f := range fields {
		if f.Name == name {
			return f, true
		}
	}
	if i := strings.IndexByte(name, '['); i > 0 && strings.HasSuffix(name, "]") {
		base := name[:i]
		for _, f := range fields {
			if f.Name == base || f.Name == base+"[]" {
				return f, true
			}
		}
	}
	return Field{}, false
}

// Names are the fields' names.
func Names(fields []Field) []string {
	out := make([]string, len(fields))
	for k, f := range fields {
		out[k] = f.Name
	}
	return out
}

// RecordFields are the fields of one record: the Record's own or its schema's, nil when
// the spec gives none.
func (e Endpoint) RecordFields() []Field { return e.Nested(e.Record) }

// Nested are the fields of an object field, or of an array field's elements: inline ones or
// its schema's.
func (e Endpoint) Nested(f Field) []Field {
	if f.Ref != "" && e.doc != nil {
		return e.doc.Schemas[f.Ref].Fields
	}
	return f.Fields
}

// RecordOpen reports whether the record takes fields the spec does not name.
func (e Endpoint) RecordOpen() bool {
	if e.Record.Ref != "" && e.doc != nil {
		return e.doc.Schemas[e.Record.Ref].Open
	}
	return e.Record.Open
}
