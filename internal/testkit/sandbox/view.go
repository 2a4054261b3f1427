package sandbox

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
)

// view is an ordered, filtered window onto a table: positions [lo, hi) of index order (or of
// perm when set), walked backwards when desc, keeping indices for which pred holds.
type view struct {
	t      *table
	perm   []int32
	lo, hi int
	desc   bool
	pred   func(i int) bool
	// shuffle serves the kept indices in a fixed scrambled order (ContractUnsorted).
	shuffle bool
}

func (v *view) index(pos int) int {
	if v.perm != nil {
		return int(v.perm[pos])
	}
	return pos
}

// walk calls fn for each kept index in order until fn returns false.
func (v *view) walk(fn func(i int) bool) {
	for k := 0; k < v.hi-v.lo; k++ {
		pos := v.lo + k
		if v.desc {
			pos = v.hi - 1 - k
		}
		i := v.index(pos)
		if v.pred != nil && !v.pred(i) {
			continue
		}
		if !fn(i) {
			return
		}
	}
}

// count is the number of kept indices.
func (v *view) count() int {
	if v.pred == nil {
		return max(v.hi-v.lo, 0)
	}
	n := 0
	v.walk(func(int) bool { n++; return true })
	return n
}

// any reports whether the view keeps at least one index.
func (v *view) any() bool {
	found := false
	v.walk(func(int) bool { found = true; return false })
	return found
}

// nth is the index at walk position k of an unfiltered view.
func (v *view) nth(k int) int {
	if v.desc {
		return v.index(v.hi - 1 - k)
	}
	return v.index(v.lo + k)
}

// positional addresses the kept indices by walk position: arithmetic when unfiltered,
// materialised otherwise.
func (v *view) positional() (at func(k int) int, n int) {
	if v.pred == nil {
		return v.nth, max(v.hi-v.lo, 0)
	}
	var kept []int
	v.walk(func(i int) bool { kept = append(kept, i); return true })
	return func(k int) int { return kept[k] }, len(kept)
}

// page skips skip kept indices, returns up to limit more, and whether any remain after them.
func (v *view) page(skip, limit int) (out []int, more bool) {
	if v.shuffle {
		at, n := v.positional()
		sc := newScramble(n)
		for k := skip; k < n && k < skip+limit; k++ {
			out = append(out, at(sc.at(k)))
		}
		return out, skip+limit < n
	}
	if v.pred == nil {
		// Unfiltered views are arithmetic, so deep skips cost nothing.
		n := max(v.hi-v.lo, 0)
		for k := skip; k < n && k < skip+limit; k++ {
			out = append(out, v.nth(k))
		}
		return out, skip+limit < n
	}
	seen := 0
	v.walk(func(i int) bool {
		switch {
		case seen < skip:
			seen++
		case len(out) < limit:
			out = append(out, i)
		default:
			more = true
			return false
		}
		return true
	})
	return out, more
}

// resume is page for cursors: pos is a walk position, not a count of kept indices, so a deep
// cursor costs only the span its page covers; next is where the following page starts.
// Shuffled views count kept indices instead (they are materialised anyway).
func (v *view) resume(pos, limit int) (out []int, next int, more bool) {
	if v.shuffle || v.pred == nil {
		out, more = v.page(pos, limit)
		return out, pos + len(out), more
	}
	n := max(v.hi-v.lo, 0)
	for k := pos; k < n; k++ {
		i := v.nth(k)
		if !v.pred(i) {
			continue
		}
		if len(out) == limit {
			return out, k, true
		}
		out = append(out, i)
	}
	return out, n, false
}

// kv and obj are a JSON object that keeps its keys in the order the provider documents them.
type kv struct {
	k string
	v any
}

type obj []kv

func (o obj) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	if err := o.appendTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// appendTo writes o without an encoder per value: nested objects are not re-validated at
// every level, which made records with many nested resources slow to render.
func (o obj) appendTo(b *bytes.Buffer) error {
	b.WriteByte('{')
	for n, f := range o {
		if n > 0 {
			b.WriteByte(',')
		}
		if err := appendJSON(b, f.k); err != nil {
			return err
		}
		b.WriteByte(':')
		if err := appendJSON(b, f.v); err != nil {
			return err
		}
	}
	b.WriteByte('}')
	return nil
}

// appendJSON writes v as marshal would, taking a short path for the common kinds.
func appendJSON(b *bytes.Buffer, v any) error {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case int:
		b.WriteString(strconv.Itoa(x))
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case string:
		if !plainASCII(x) {
			return appendMarshaled(b, v)
		}
		b.WriteByte('"')
		b.WriteString(x)
		b.WriteByte('"')
	case obj:
		return x.appendTo(b)
	case []obj:
		if x == nil {
			b.WriteString("null")
			return nil
		}
		b.WriteByte('[')
		for n, e := range x {
			if n > 0 {
				b.WriteByte(',')
			}
			if err := e.appendTo(b); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	default:
		return appendMarshaled(b, v)
	}
	return nil
}

func appendMarshaled(b *bytes.Buffer, v any) error {
	raw, err := marshal(v)
	b.Write(raw)
	return err
}

// plainASCII reports whether JSON writes s as is between quotes.
func plainASCII(s string) bool {
	for k := 0; k < len(s); k++ {
		if c := s[k]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// pick keeps the named fields, in the record's own order.
func (o obj) pick(fields []string) obj {
	want := map[string]bool{}
	for _, f := range fields {
		want[f] = true
	}
	var out obj
	for _, f := range o {
		if want[f.k] {
			out = append(out, f)
		}
	}
	if out == nil {
		out = obj{}
	}
	return out
}

func (o obj) get(k string) any {
	for _, f := range o {
		if f.k == k {
			return f.v
		}
	}
	return nil
}

// marshal is json.Marshal without HTML escaping, so URLs keep a literal & as real APIs send.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"sandbox: cannot encode response"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}
