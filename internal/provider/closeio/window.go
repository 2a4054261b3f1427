package closeio

import (
	"encoding/json"
	"time"

	"github.com/pagewise/pagewise/internal/provider"
)

// closeTime is how Close writes timestamps: 2013-02-20T05:30:24.854000+00:00.
const closeTime = provider.WindowTime

// nextWindow is where a window export goes after page. With T the last record's
// date_created: if T is still the window's start, skip further inside it; otherwise restart
// the window at T, skipping only this page's records that share T. Every record of date T
// seen so far is on this page (earlier pages ended before T), so _skip stays as small as
// the largest run of tied timestamps, and ties are neither dropped nor repeated as long as
// Close orders them stably — the assumption _skip paging itself makes.
func nextWindow(resource string, pos provider.Position, page []json.RawMessage) (provider.Position, error) {
	last, _, err := stamp(resource, page[len(page)-1], "date_created")
	if err != nil {
		return pos, err
	}
	if pos.From != "" && sameInstant(last, pos.From) {
		return provider.Position{From: pos.From, Offset: pos.Offset + len(page), Until: pos.Until}, nil
	}
	ties := 0
	for _, rec := range page {
		t, _, err := stamp(resource, rec, "date_created")
		if err != nil {
			return pos, err
		}
		if sameInstant(t, last) {
			ties++
		}
	}
	return provider.Position{From: last, Offset: ties, Until: pos.Until}, nil
}

// sameInstant compares Close timestamps as instants, so "…+00:00" and "…Z" agree.
func sameInstant(a, b string) bool {
	if a == b {
		return true
	}
	ta, okA := parseTime(a)
	tb, okB := parseTime(b)
	return okA && okB && ta.Equal(tb)
}

func parseTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
