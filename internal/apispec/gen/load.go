package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// The facts of one spec file, in the shape internal/apispec declares them.
type document struct {
	format, version, sha256, base string
	endpoints                     []endpoint
	schemas                       map[string]schema
}

type endpoint struct {
	method, path string
	list         bool
	query, body  []field
	record       field
}

type field struct {
	name, typ, format  string
	nullable, required bool
	enum               []string
	def                string
	min, max           *float64
	maxFrom            string
	items, ref         string
	fields             []field
	open               bool
	desc               string // read for limits stated in words; never emitted
}

type schema struct {
	fields        []field
	open          bool
	discriminator string
	variants      []string
}

type node = map[string]any

// load parses a spec (YAML, JSON, or gzipped JSON) and takes its facts.
func load(s source, raw []byte) (*document, error) {
	sum := sha256.Sum256(raw)
	root, err := parse(s, raw)
	if err != nil {
		return nil, err
	}
	c := &converter{root: root, swagger: root["swagger"] != nil, needed: map[string]bool{}}
	doc := &document{sha256: hex.EncodeToString(sum[:]), schemas: map[string]schema{}}
	info, _ := root["info"].(node)
	doc.version = text(info["version"])
	if c.swagger {
		doc.format = "Swagger " + text(root["swagger"])
		doc.base = strings.TrimRight(text(root["basePath"]), "/")
	} else {
		doc.format = "OpenAPI " + text(root["openapi"])
		if servers, _ := root["servers"].([]any); len(servers) > 0 {
			if u, err := url.Parse(text(servers[0].(node)["url"])); err == nil {
				doc.base = strings.TrimRight(u.Path, "/")
			}
		}
	}
	paths, _ := root["paths"].(node)
	for _, p := range sortedKeys(paths) {
		item, _ := paths[p].(node)
		for _, method := range []string{"get", "post"} {
			op, ok := item[method].(node)
			if !ok {
				continue
			}
			e, ok := c.endpoint(method, item, op)
			if ok {
				e.path = doc.base + p
				doc.endpoints = append(doc.endpoints, e)
			}
		}
	}
	// Named schemas the endpoints refer to, and those they refer to in turn.
	for done := map[string]bool{}; ; {
		var next []string
		for name := range c.needed {
			if !done[name] {
				next = append(next, name)
			}
		}
		if len(next) == 0 {
			break
		}
		slices.Sort(next)
		for _, name := range next {
			done[name] = true
			f := c.inline("", c.schemaNode(name), 0)
			sc := schema{fields: f.fields, open: f.open}
			if m := c.derefNode(c.schemaNode(name)); m != nil && m["discriminator"] != nil {
				sc.discriminator, sc.variants = text(discriminatorName(m["discriminator"])), c.variants(name)
				for _, v := range sc.variants {
					c.needed[v] = true
				}
			}
			doc.schemas[name] = sc
		}
	}
	return doc, nil
}

// discriminatorName is Swagger 2's property name or OpenAPI 3's propertyName.
func discriminatorName(v any) any {
	if m, ok := v.(node); ok {
		return m["propertyName"]
	}
	return v
}

// variants are the named schemas that extend name through allOf: with a discriminator,
// each is the record's shape for the discriminator value its name is.
func (c *converter) variants(name string) []string {
	var out []string
	for _, p := range schemaPrefixes {
		defs, _ := c.pointer(strings.TrimSuffix(p, "/")).(node)
		for _, k := range sortedKeys(defs) {
			m, _ := defs[k].(node)
			parts, _ := m["allOf"].([]any)
			for _, part := range parts {
				if pm, ok := part.(node); ok && pm["$ref"] == p+name {
					out = append(out, k)
				}
			}
		}
	}
	return out
}

// parse reads a spec file: YAML, JSON, or gzipped JSON.
func parse(s source, raw []byte) (node, error) {
	if strings.HasSuffix(s.file, ".gz") {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, err
		}
		if raw, err = io.ReadAll(zr); err != nil {
			return nil, err
		}
	}
	var tree any
	if strings.HasSuffix(s.file, ".json") || strings.HasSuffix(s.file, ".json.gz") {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&tree); err != nil {
			return nil, err
		}
	} else if err := yaml.Unmarshal(raw, &tree); err != nil {
		return nil, err
	}
	root, ok := normalize(tree).(node)
	if !ok {
		return nil, fmt.Errorf("not an object")
	}
	return root, nil
}

// normalize turns YAML's map[any]any into node and numbers into float64.
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = normalize(e)
		}
		return x
	case map[any]any:
		out := node{}
		for k, e := range x {
			out[fmt.Sprint(k)] = normalize(e)
		}
		return out
	case []any:
		for k, e := range x {
			x[k] = normalize(e)
		}
		return x
	case json.Number:
		f, _ := x.Float64()
		return f
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case uint64:
		return float64(x)
	}
	return v
}

type converter struct {
	root    node
	swagger bool
	needed  map[string]bool
}

// endpoint takes an operation: every GET, and a POST whose answer is a list.
func (c *converter) endpoint(method string, item, op node) (endpoint, bool) {
	e := endpoint{method: strings.ToUpper(method)}
	rec, list, known := c.record(op)
	if method == "post" && !list {
		return e, false
	}
	e.list = list
	if known {
		e.record = rec
	}
	for _, p := range c.params(item, op) {
		switch text(p["in"]) {
		case "query":
			e.query = append(e.query, c.param(p))
		case "body":
			body := c.inline("", c.deref(p["schema"]), 0)
			e.body = body.fields
		}
	}
	if rb, ok := c.deref(op["requestBody"]).(node); ok {
		if s := c.content(rb); s != nil {
			e.body = c.inline("", s, 0).fields
		}
	}
	for k := range e.body {
		limitFromText(&e.body[k], e.body[k].desc)
	}
	sortFields(e.query)
	sortFields(e.body)
	return e, true
}

// params are the path item's parameters overridden by the operation's, by name and in.
func (c *converter) params(item, op node) []node {
	var out []node
	add := func(list any) {
		ps, _ := list.([]any)
		for _, raw := range ps {
			p, ok := c.deref(raw).(node)
			if !ok {
				continue
			}
			out = slices.DeleteFunc(out, func(q node) bool { return q["name"] == p["name"] && q["in"] == p["in"] })
			out = append(out, p)
		}
	}
	add(item["parameters"])
	add(op["parameters"])
	return out
}

// param is one query parameter: its schema (OpenAPI 3) or itself (Swagger 2).
func (c *converter) param(p node) field {
	s := any(p)
	if sch, ok := p["schema"]; ok {
		s = sch
	}
	f := c.convert(text(p["name"]), s, 0)
	f.required = p["required"] == true
	if d := text(p["description"]); d != "" {
		f.desc = d
	}
	limitFromText(&f, f.desc)
	return f
}

// record is the answer's record: a list's element or a single answer's data (or the whole
// answer), from the 200 (or 201) JSON response. known is false when the spec gives no fields.
func (c *converter) record(op node) (rec field, list, known bool) {
	responses, _ := op["responses"].(node)
	var resp node
	for _, code := range []string{"200", "201"} {
		if r, ok := c.deref(responses[code]).(node); ok {
			resp = r
			break
		}
	}
	if resp == nil {
		return field{}, false, false
	}
	var s any
	if c.swagger {
		s = resp["schema"]
	} else {
		s = c.content(resp)
	}
	if s == nil {
		return field{}, false, false
	}
	top := c.inline("", s, 0)
	if data, ok := fieldNamed(top.fields, "data"); ok {
		top = data
	}
	if top.typ == "array" {
		list = true
		top = field{typ: "object", ref: top.ref, fields: top.fields, open: top.items == "object" && top.open}
		if top.ref == "" && len(top.fields) == 0 {
			return field{}, true, false
		}
	}
	top.name, top.required, top.nullable = "", false, false
	return top, list, top.ref != "" || len(top.fields) > 0 || top.open
}

// content is the JSON schema of a request body or response (OpenAPI 3).
func (c *converter) content(n node) any {
	ct, _ := n["content"].(node)
	for _, k := range sortedKeys(ct) {
		if strings.HasPrefix(k, "application/json") {
			m, _ := ct[k].(node)
			return m["schema"]
		}
	}
	return nil
}

func fieldNamed(fields []field, name string) (field, bool) {
	for _, f := range fields {
		if f.name == name {
			return f, true
		}
	}
	return field{}, false
}

func sortFields(fs []field) {
	slices.SortStableFunc(fs, func(a, b field) int { return strings.Compare(a.name, b.name) })
}

func sortedKeys(m node) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// text is a scalar as the spec writes it.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return formatNum(x)
	case bool:
		if x {
			return "true"
		}
		return "false"
	}
	b, _ := json.Marshal(v)
	return string(b)
}
