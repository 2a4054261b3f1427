package sandbox

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// clioSel is one entry of a fields parameter: a field, and for a nested resource the
// fields asked of it (its defaults, id and etag, unless the request names others).
type clioSel struct {
	name string
	sub  []string
}

var clioDefaultSel = []clioSel{{name: "id"}, {name: "etag"}}

// clioFieldList reads fields ("a,b{c,d}") against the action's schema. As the fields guide
// says, an unknown field and a second-level nested selection are 400s; a nested field the
// sandbox does not model (anything but id and etag, except in custom_field_values) is the
// sandbox's own 400.
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
		case f == nil:
			clioError(w, http.StatusBadRequest, "InvalidFields", fmt.Sprintf("invalid field %q for %s", s.name, a.path))
			return nil, false
		case s.sub != nil && f.sub == nil:
			clioError(w, http.StatusBadRequest, "InvalidFields", fmt.Sprintf("%s is not a nested resource", s.name))
			return nil, false
		}
		for _, name := range s.sub {
			switch {
			case slices.ContainsFunc(f.sub, func(g clioField) bool { return g.name == name }):
			case f.known:
				clioError(w, http.StatusBadRequest, "InvalidFields", fmt.Sprintf("invalid field %q for %s", name, s.name))
				return nil, false
			default:
				c.unsupported(w, "fields "+s.name+"{"+name+"}")
				return nil, false
			}
		}
		if f.sub != nil && s.sub == nil {
			sels[k].sub = []string{"id", "etag"}
		}
	}
	return sels, true
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

// clioPick keeps the selected fields in the record's order, and of a nested resource the
// fields asked of it.
func clioPick(o obj, sels []clioSel) obj {
	out := obj{}
	for _, f := range o {
		k := slices.IndexFunc(sels, func(s clioSel) bool { return s.name == f.k })
		switch {
		case k < 0:
		case sels[k].sub == nil:
			out = append(out, f)
		default:
			out = append(out, kv{f.k, pickNested(f.v, sels[k].sub)})
		}
	}
	return out
}

func pickNested(v any, sub []string) any {
	switch n := v.(type) {
	case obj:
		return n.pick(sub)
	case []obj:
		out := make([]obj, len(n))
		for k, e := range n {
			out[k] = e.pick(sub)
		}
		return out
	}
	return v
}
