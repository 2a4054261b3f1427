package conformance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/pagewise/pagewise/internal/testkit/sandbox"
)

// markers are keys an endpoint adds to each record beside the record's own fields, which
// an export keeps as the API served them: Close's Advanced Filtering marks every result with
// __object_type (lead and contact window exports walk it; their list exports have none).
// Issue 24: the README's Readings list says so; drop the entry if exports ever strip it.
var markers = map[string][]string{sandbox.Close: {"__object_type"}}

// DiffRecords compares each exported record with the sandbox's record of the same id
// (wanted, by id) field by field, narrowed to fields when an export's input named them. It
// returns "" when all match, else how many differ and, for the first few, the id and the
// first differing field path with a short excerpt of each value, never a whole record.
func DiffRecords(sb *sandbox.Server, prov string, fields []string, wanted map[string]json.RawMessage, got []json.RawMessage) string {
	sel := parseSelection(fields)
	var diffs []string
	n := 0
	for _, r := range got {
		id := sb.IDOf(prov, r)
		w, g := decode(wanted[id]), decode(r)
		if m, ok := g.(map[string]any); ok {
			for _, k := range markers[prov] {
				delete(m, k)
			}
		}
		if d := diffValue("", w, g, sel); d != "" {
			n++
			if len(diffs) < 3 {
				diffs = append(diffs, "id "+id+" "+d)
			}
		}
	}
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("%d of %d records differ from the sandbox's; %s", n, len(got), strings.Join(diffs, "; "))
}

func decode(raw json.RawMessage) any {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return string(raw)
	}
	return v
}

// selection is the fields an input named at one level; nil means every field. A name
// selects the key itself and every "name.…" key (Close's custom.cf_<id> under custom).
type selection map[string]selection

// parseSelection reads "a", "b{c,d}" entries; nil or empty fields select everything.
func parseSelection(fields []string) selection {
	if len(fields) == 0 {
		return nil
	}
	sel := selection{}
	for _, f := range fields {
		name, rest, nested := strings.Cut(strings.TrimSpace(f), "{")
		if !nested {
			sel[name] = nil
			continue
		}
		sub := selection{}
		for _, s := range strings.Split(strings.TrimSuffix(rest, "}"), ",") {
			if s = strings.TrimSpace(s); s != "" {
				sub[s] = nil
			}
		}
		sel[name] = sub
	}
	return sel
}

// picks reports whether sel names key, and the selection below it.
func (sel selection) picks(key string) (selection, bool) {
	if sub, ok := sel[key]; ok {
		return sub, true
	}
	for name := range sel {
		if strings.HasPrefix(key, name+".") {
			return nil, true
		}
	}
	return nil, false
}

// diffValue is the first difference between want and got at path, or "".
func diffValue(path string, want, got any, sel selection) string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return at(path) + ": " + excerpt(got) + ", the sandbox serves an object"
		}
		return diffObject(path, w, g, sel)
	case []any:
		g, ok := got.([]any)
		if !ok {
			return at(path) + ": " + excerpt(got) + ", the sandbox serves an array"
		}
		if len(g) != len(w) {
			return fmt.Sprintf("%s: %d elements, the sandbox serves %d", at(path), len(g), len(w))
		}
		for k := range w {
			if d := diffValue(fmt.Sprintf("%s[%d]", path, k), w[k], g[k], sel); d != "" {
				return d
			}
		}
		return ""
	}
	if !reflect.DeepEqual(want, got) {
		return at(path) + ": " + excerpt(got) + ", the sandbox serves " + excerpt(want)
	}
	return ""
}

// diffObject compares every key of either (or, narrowed, got's keys and the selected ones).
func diffObject(path string, want, got map[string]any, sel selection) string {
	keys := map[string]bool{}
	for k := range got {
		keys[k] = true
	}
	for k := range want {
		if _, ok := sel.picks(k); sel == nil || ok {
			keys[k] = true
		}
	}
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		wv, inWant := want[k]
		gv, inGot := got[k]
		p := path + "." + k
		switch {
		case !inGot:
			return at(p) + ": missing; the sandbox serves " + excerpt(wv)
		case !inWant:
			return at(p) + ": not in the sandbox's record"
		}
		sub, _ := sel.picks(k)
		if d := diffValue(p, wv, gv, sub); d != "" {
			return d
		}
	}
	return ""
}

func at(path string) string {
	if path == "" {
		return "the record"
	}
	return strings.TrimPrefix(path, ".")
}

// excerpt is a value's JSON, cut short.
func excerpt(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 40 {
		return string(b[:40]) + "…"
	}
	return string(b)
}
