package closeio

import (
	"encoding/json"
	"time"

	"github.com/pagewise/pagewise/internal/provider"
)

// span is the range of a timestamp field a request asked for; zero bounds are open.
type span struct {
	gte, gt, lt, lte time.Time
}

func (s span) holds(t time.Time) bool {
	return (s.gte.IsZero() || !t.Before(s.gte)) && (s.gt.IsZero() || t.After(s.gt)) &&
		(s.lt.IsZero() || t.Before(s.lt)) && (s.lte.IsZero() || !t.After(s.lte))
}

// spanOf reads the bounds of field from filter-style values (field__gte …); unparseable
// ones stay open (Close itself judges them).
func spanOf(field string, values map[string]string) span {
	get := func(op string) time.Time {
		t, _ := parseTime(values[field+"__"+op])
		return t
	}
	return span{gte: get("gte"), gt: get("gt"), lt: get("lt"), lte: get("lte")}
}

// since is the span of a since bound as sent (Close's layout keeps microseconds); zero
// since is open.
func since(t time.Time) span { return span{gte: t.Truncate(time.Microsecond)} }

// keys are the fields the export reads from a record; the rest is never decoded.
type keys struct {
	ID          string `json:"id"`
	DateCreated string `json:"date_created"`
	DateUpdated string `json:"date_updated"`
}

// stamp reads field (date_created or date_updated) of a record as a string and an instant.
func stamp(resource string, rec json.RawMessage, field string) (string, time.Time, error) {
	var k keys
	_ = json.Unmarshal(rec, &k) // a record that is not an object has no stamp
	s := k.DateCreated
	if field == "date_updated" {
		s = k.DateUpdated
	}
	if s == "" {
		return "", time.Time{}, fatal(resource, "a record has no %s, which the export checks (keep it in fields)", field)
	}
	t, ok := parseTime(s)
	if !ok {
		return "", time.Time{}, fatal(resource, "a record's %s %q is not a timestamp", field, s)
	}
	return s, t, nil
}

// direction is the order a request asked records in.
type direction int

const (
	unordered direction = iota
	ascending
	descending // events: newest first
)

// ordered checks a page's field values against what the request asked: every one in s
// and in order dir, starting from prev, the value the previous page ended with (empty:
// none). It returns the page's last value.
func ordered(resource string, at provider.Position, recs []json.RawMessage, field string, s span, dir direction, prev string) (string, error) {
	var last time.Time
	if prev != "" {
		last, _ = parseTime(prev)
	}
	for _, rec := range recs {
		raw, t, err := stamp(resource, rec, field)
		if err != nil {
			return "", err
		}
		switch {
		case !s.holds(t):
			return "", provider.Broken(Name, resource, at, "record %s has %s %s, outside the range asked for", idOf(rec), field, raw)
		case !last.IsZero() && dir == ascending && t.Before(last):
			return "", provider.Broken(Name, resource, at, "record %s has %s %s, before the previous %s: not in ascending order", idOf(rec), field, raw, prev)
		case !last.IsZero() && dir == descending && t.After(last):
			return "", provider.Broken(Name, resource, at, "record %s has %s %s, after the previous %s: not newest first", idOf(rec), field, raw, prev)
		}
		last, prev = t, raw
	}
	return prev, nil
}

// idOf is a record's id for error messages.
func idOf(rec json.RawMessage) string {
	var k keys
	if json.Unmarshal(rec, &k) != nil || k.ID == "" {
		return "(no id)"
	}
	return k.ID
}
