package sandbox

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// clioSel is one entry of a fields parameter: a field, and for a nested resource the
// fields asked of it (its defaults, unless the request names others).
type clioSel struct {
	name string
	sub  []string
}

var clioDefaultSel = []clioSel{{name: "id"}, {name: "etag"}}

// clioFieldList reads fields ("a,b{c,d}") against the action's schema. As the fields guide
// says, an unknown field and a second-level nested selection are 400s; so is a field the
// account does not have (Options.ClioRefusedFields), named in the message as Clio names an
// invalid one.
func (c *clio) fieldList(w http.ResponseWriter, q url.Values, a *clioAction) ([]clioSel, bool) {
	raw := q.Get("fields")
	if raw == "" {
		return clioDefaultSel, true
	}
	sels, err := splitClioFields(raw)
	if err != nil {
		clioError(w, http.StatusBadRequest, "InvalidFields", err.Error())
		return nil, false
	}
	for k, s := range sels {
		f := a.field(s.name)
		switch {
		case f == nil || c.refused(s.name):
			clioError(w, http.StatusBadRequest, "InvalidFields", fmt.Sprintf("invalid field %q for %s", s.name, a.path))
			return nil, false
		case s.sub != nil && !f.nested():
			clioError(w, http.StatusBadRequest, "InvalidFields", fmt.Sprintf("%s is not a nested resource", s.name))
			return nil, false
		case f.nested() && s.sub == nil:
			sels[k].sub = f.defaults
		}
		for _, name := range s.sub {
			if !slices.ContainsFunc(f.sub, func(g clioField) bool { return g.name == name }) {
				clioError(w, http.StatusBadRequest, "InvalidFields", fmt.Sprintf("invalid field %q for %s", name, s.name))
				return nil, false
			}
		}
	}
	return sels, true
}

// refused reports whether the account does not have field name.
func (c *clio) refused(name string) bool { return slices.Contains(c.s.opts.ClioRefusedFields, name) }

// whole is what a request naming every field gets: each field the account has, nested
// values with every field of their schema, nested references with their defaults.
func (c *clio) whole(a *clioAction) []clioSel {
	var out []clioSel
	for _, f := range a.schema {
		switch {
		case c.refused(f.name):
		case !f.nested():
			out = append(out, clioSel{name: f.name})
		case f.reference():
			out = append(out, clioSel{name: f.name, sub: f.defaults})
		default:
			sub := make([]string, len(f.sub))
			for k, g := range f.sub {
				sub[k] = g.name
			}
			out = append(out, clioSel{name: f.name, sub: sub})
		}
	}
	return out
}

// splitClioFields splits at top-level commas; braces nest one level only.
func splitClioFields(raw string) ([]clioSel, error) {
	var out []clioSel
	for raw != "" {
		end := strings.IndexAny(raw, ",{")
		if end < 0 {
			end = len(raw)
		}
		s := clioSel{name: raw[:end]}
		raw = raw[end:]
		if strings.HasPrefix(raw, "{") {
			inner, rest, ok := strings.Cut(raw[1:], "}")
			if !ok || strings.ContainsAny(inner, "{") {
				return nil, fmt.Errorf("fields of %s: nested resources take one level of fields", s.name)
			}
			s.sub, raw = strings.Split(inner, ","), rest
		}
		if s.name == "" {
			return nil, fmt.Errorf("fields has an empty name")
		}
		out = append(out, s)
		raw = strings.TrimPrefix(raw, ",")
	}
	return out, nil
}
