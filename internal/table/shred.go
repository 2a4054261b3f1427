package table

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/parquet-go/jsonlite"
	"github.com/parquet-go/parquet-go"
)

// shredder turns records into Parquet rows: each value goes to its leaf column with the
// repetition and definition levels that place it (Dremel's record shredding).
type shredder struct {
	plan    *plan
	columns [][]parquet.Value // one row's values, by leaf column
	meta    []parquet.Value   // export id and extraction time, the same in every row
	vals    []*jsonlite.Value // a record's top-level values, by column
}

// errChanged: a value does not fit the column the first pass typed for it, so the page
// changed between the passes.
var errChanged = errors.New("a record does not match the schema its first reading gave it")

func newShredder(p *plan, exportID string, extractedAt time.Time) *shredder {
	return &shredder{
		plan:    p,
		columns: make([][]parquet.Value, p.leaves),
		meta:    []parquet.Value{byteArray(exportID), parquet.Int64Value(extractedAt.UnixMicro())},
	}
}

// row appends the row for record (read from page) to out. extra are the values of the
// schema's added columns (Schema.WithMeta), in order.
func (s *shredder) row(out parquet.Row, record []byte, page string, extra []any) (parquet.Row, error) {
	v, err := parse(record)
	if err != nil {
		return out, err
	}
	for i := range s.columns {
		s.columns[i] = s.columns[i][:0]
	}
	recs := s.plan.record
	s.vals = s.vals[:0]
	for range recs {
		s.vals = append(s.vals, nil)
	}
	byKey := s.plan.byKey
	var bad error
	v.Object(func(key string, f *jsonlite.Value) bool {
		i, ok := byKey[key]
		if !ok {
			bad = errChanged
			return false
		}
		s.vals[i] = f // a key given twice: the last wins, as encoding/json reads it
		return true
	})
	if bad != nil {
		return out, bad
	}
	for i, sl := range recs {
		if err := s.value(sl, s.vals[i], 0, 0); err != nil {
			return out, err
		}
	}
	if err := s.metaValues(record, page, extra); err != nil {
		return out, err
	}
	for _, col := range s.columns {
		out = append(out, col...)
	}
	return out, nil
}

// metaValues places pagewise's columns: the export's id and start (s.meta), the page,
// the added columns' values, and the record itself.
func (s *shredder) metaValues(record []byte, page string, extra []any) error {
	n := 0
	for _, m := range s.plan.meta {
		i := m.leaf.index
		switch m.col.Name {
		case ColExportID:
			s.add(i, s.meta[0], 0, 1)
		case ColExtractedAt:
			s.add(i, s.meta[1], 0, 1)
		case ColPage:
			s.add(i, byteArray(page), 0, 1)
		case ColRaw:
			s.add(i, byteArray(unsafeString(record)), 0, 1)
		default:
			if n >= len(extra) {
				return fmt.Errorf("no value for column %s", m.col.Name)
			}
			switch v := extra[n].(type) {
			case nil:
				s.add(i, parquet.NullValue(), 0, 0)
			case string:
				s.add(i, byteArray(v), 0, 1)
			case time.Time:
				s.add(i, parquet.Int64Value(v.UnixMicro()), 0, 1)
			default:
				return fmt.Errorf("column %s: a %T is no column value", m.col.Name, v)
			}
			n++
		}
	}
	return nil
}

// value places v (nil: absent) under sl; rep and def are the levels above it.
func (s *shredder) value(sl *slot, v *jsonlite.Value, rep, def int) error {
	if v == nil || v.Kind() == jsonlite.Null {
		s.nulls(sl, rep, def)
		return nil
	}
	def++
	switch {
	case sl.fields != nil:
		if v.Kind() != jsonlite.Object {
			return errChanged
		}
		vals := make([]*jsonlite.Value, len(sl.fields))
		var bad error
		v.Object(func(key string, f *jsonlite.Value) bool {
			i, ok := sl.byKey[key]
			if !ok {
				bad = errChanged
				return false
			}
			vals[i] = f
			return true
		})
		if bad != nil {
			return bad
		}
		for i, f := range sl.fields {
			if err := s.value(f, vals[i], rep, def); err != nil {
				return err
			}
		}
		return nil
	case sl.element != nil:
		if v.Kind() != jsonlite.Array {
			return errChanged
		}
		if v.Len() == 0 {
			s.nulls(sl.element, rep, def) // the list is there and empty
			return nil
		}
		r := rep
		var bad error
		v.Array(func(e *jsonlite.Value) bool {
			// def+1: the list's repeated level holds an element.
			bad = s.value(sl.element, e, r, def+1)
			r = sl.repLevel
			return bad == nil
		})
		return bad
	}
	pv, err := leafValue(sl.leaf.kind, v)
	if err != nil {
		return err
	}
	s.add(sl.leaf.index, pv, rep, def)
	return nil
}

// nulls gives every leaf under sl a null at these levels.
func (s *shredder) nulls(sl *slot, rep, def int) {
	for i := sl.first; i < sl.end; i++ {
		s.add(i, parquet.NullValue(), rep, def)
	}
}

func (s *shredder) add(leaf int, v parquet.Value, rep, def int) {
	s.columns[leaf] = append(s.columns[leaf], v.Level(rep, def, leaf))
}

// leafValue is v as a column of kind k holds it.
func leafValue(k Kind, v *jsonlite.Value) (parquet.Value, error) {
	switch k {
	case Boolean:
		switch v.Kind() {
		case jsonlite.True:
			return parquet.BooleanValue(true), nil
		case jsonlite.False:
			return parquet.BooleanValue(false), nil
		}
	case Int64:
		if v.Kind() == jsonlite.Number {
			if n, err := strconv.ParseInt(rawJSON(v), 10, 64); err == nil {
				return parquet.Int64Value(n), nil
			}
		}
	case Double:
		if v.Kind() == jsonlite.Number {
			if f, err := strconv.ParseFloat(rawJSON(v), 64); err == nil {
				return parquet.DoubleValue(f), nil
			}
		}
	case Timestamp:
		if v.Kind() == jsonlite.String {
			if t, err := parseTime(v.String()); err == nil {
				return parquet.Int64Value(t.UnixMicro()), nil
			}
		}
	case String:
		if v.Kind() == jsonlite.String {
			return byteArray(validUTF8(v.String())), nil
		}
		if v.Kind() != jsonlite.Object && v.Kind() != jsonlite.Array {
			return byteArray(rawJSON(v)), nil // a number or boolean among strings: its text
		}
	case JSON:
		return byteArray(rawJSON(v)), nil
	}
	return parquet.Value{}, fmt.Errorf("%w (a %s in a %s column)", errChanged, kindName(v.Kind()), k)
}

// rawJSON is a value's text exactly as the record holds it.
func rawJSON(v *jsonlite.Value) string { return strings.TrimSpace(v.JSON()) }

// validUTF8 keeps a string Parquet readers accept: a STRING column is UTF-8. A record's
// exact bytes stay in _raw.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// byteArray refers to s without copying it: the writer copies values into its column
// buffers, and s (a page's text) outlives the WriteRows call.
func byteArray(s string) parquet.Value {
	return parquet.ByteArrayValue(unsafe.Slice(unsafe.StringData(s), len(s)))
}

func unsafeString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
