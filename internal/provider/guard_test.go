package provider

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func recs(ids ...int) []json.RawMessage {
	out := make([]json.RawMessage, len(ids))
	for i, id := range ids {
		out[i] = json.RawMessage(fmt.Sprintf(`{"id":%d}`, id))
	}
	return out
}

// walk feeds Advance the pages of a fake API whose next positions come from next(i), each
// page holding records i*10, i*10+1, until Advance fails or limit pages pass.
func walk(limit int, next func(i int) Position, page func(i int) []json.RawMessage) (int, error) {
	at := Position{}
	for i := range limit {
		got, err := Advance("p", "r", at, Page{Records: page(i), Next: next(i)})
		if err != nil {
			return i + 1, err
		}
		at = got.Next
	}
	return limit, nil
}

func distinct(i int) []json.RawMessage { return recs(i*10, i*10+1) }

func TestAdvance(t *testing.T) {
	cases := []struct {
		name  string
		next  func(i int) Position
		page  func(i int) []json.RawMessage
		most  int    // fails within this many pages; 0: never
		cause string // part of the message
	}{
		{"offsets move on", func(i int) Position { return Position{Offset: (i + 1) * 2} }, distinct, 0, ""},
		{"cursors move on", func(i int) Position { return Position{Cursor: fmt.Sprint("c", i)} }, distinct, 0, ""},
		{"same cursor again", func(int) Position { return Position{Cursor: "c"} }, distinct, 2, "one just fetched"},
		{"cycle of two", func(i int) Position { return Position{Cursor: fmt.Sprint("c", i%2)} }, distinct, 4, "cycle"},
		{"cycle of seven after forty", func(i int) Position {
			if i < 40 {
				return Position{Cursor: fmt.Sprint("a", i)}
			}
			return Position{Cursor: fmt.Sprint("b", i%7)}
		}, distinct, 40 + 3*64, "cycle"},
		{"same page again", func(i int) Position { return Position{Offset: i + 1} }, func(int) []json.RawMessage { return recs(1, 2, 3) }, 2, "previous page again"},
		{"empty pages forever", func(i int) Position { return Position{Cursor: fmt.Sprint("c", i)} }, func(int) []json.RawMessage { return nil }, MaxEmptyPages + 1, "empty pages"},
		{"offset past ceiling", func(i int) Position { return Position{Offset: (i + 1) * MaxOffset / 3} }, distinct, 4, "ceiling"},
		{"cursor that grows", func(i int) Position { return Position{Cursor: strings.Repeat("c", 100<<i)} }, distinct, 9, "past the cap"},
		{"last key that grows", func(i int) Position { return Position{Offset: i + 1, Last: strings.Repeat("9", 100<<i)} }, distinct, 9, "past the cap"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			limit := tc.most + 1
			if tc.most == 0 {
				limit = 1000
			}
			pages, err := walk(limit, tc.next, tc.page)
			if tc.most == 0 {
				if err != nil {
					t.Fatalf("page %d: %v", pages, err)
				}
				return
			}
			var pe *Error
			if !errors.As(err, &pe) || !pe.Contract || pe.Retryable || pages > tc.most {
				t.Fatalf("after %d pages (at most %d): %v", pages, tc.most, err)
			}
			if !strings.Contains(err.Error(), tc.cause) || !strings.HasPrefix(err.Error(), "p r: broken paging contract at ") {
				t.Fatalf("message %q does not name provider, resource, position and %q", err, tc.cause)
			}
		})
	}
}

func TestAdvanceLetsDonePagesEnd(t *testing.T) {
	at := Position{Offset: 4}
	for _, page := range []Page{
		{Next: at, Done: true},                    // an offset partition past its end
		{Records: recs(1), Next: at, Done: true},  // the last page leaves the position as is
		{Next: Position{Cursor: "x"}, Done: true}, // an empty last page
	} {
		if _, err := Advance("p", "r", at, page); err != nil {
			t.Fatalf("%+v: %v", page, err)
		}
	}
	// A last page that repeats the one before is still a repeat.
	first, _ := Advance("p", "r", Position{}, Page{Records: recs(1, 2), Next: at})
	if _, err := Advance("p", "r", first.Next, Page{Records: recs(1, 2), Done: true}); err == nil {
		t.Fatal("a repeated last page was accepted")
	}
}

// TestAdvanceSkippedPagesAreNotEmpty: pages whose records a client-side filter dropped move
// on, however many come in a row; truly empty ones still fail after MaxEmptyPages.
func TestAdvanceSkippedPagesAreNotEmpty(t *testing.T) {
	at := Position{}
	for i := range 3 * MaxEmptyPages {
		page, err := Advance("p", "r", at, Page{Skipped: 5, Next: Position{Cursor: fmt.Sprint("c", i)}})
		if err != nil {
			t.Fatalf("skipped page %d: %v", i, err)
		}
		at = page.Next
	}
	for i := range MaxEmptyPages + 1 {
		page, err := Advance("p", "r", at, Page{Next: Position{Cursor: fmt.Sprint("e", i)}})
		if err != nil {
			if i < MaxEmptyPages {
				t.Fatalf("empty page %d failed early: %v", i, err)
			}
			return
		}
		at = page.Next
	}
	t.Fatal("empty pages after skipped ones never failed")
}

// TestPositionStaysComparable: old positions decode, new fields round-trip and == works.
func TestPositionStaysComparable(t *testing.T) {
	var old Position
	if err := json.Unmarshal([]byte(`{"cursor":"c","offset":3,"from":"f","until":"u"}`), &old); err != nil {
		t.Fatal(err)
	}
	if old != (Position{Cursor: "c", Offset: 3, From: "f", Until: "u"}) {
		t.Fatalf("decoded %+v", old)
	}
	raw, _ := json.Marshal(Position{Offset: 1})
	if string(raw) != `{"offset":1}` {
		t.Fatalf("zero new fields are written: %s", raw)
	}
	p, err := Advance("p", "r", Position{Cursor: "a"}, Page{Records: recs(1), Next: Position{Cursor: "b", Walked: 2, Issued: 9, Anchor: "x", Last: "1"}})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ = json.Marshal(p.Next)
	var back Position
	if err := json.Unmarshal(raw, &back); err != nil || back != p.Next {
		t.Fatalf("round trip %s: %+v != %+v (%v)", raw, back, p.Next, err)
	}
}

func TestDescribe(t *testing.T) {
	long := strings.Repeat("x", 200)
	cases := map[string]Position{
		"the start":                                    {},
		"{offset=5 end=10}":                            {Offset: 5, End: 10},
		"{cursor=" + long[:77] + "...}":                {Cursor: long},
		"{offset=2 from=a until=b anchor=a walked=40}": {From: "a", Until: "b", Offset: 2, Anchor: "a", Walked: 40},
	}
	for want, p := range cases {
		if got := p.Describe(); got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}

func TestCeilings(t *testing.T) {
	at := Position{Cursor: "c9"}
	cases := []struct {
		c              Ceilings
		pages, records int64
		cause          string // "" passes
	}{
		{Ceilings{}, DefaultMaxPages, DefaultMaxRecords, ""},
		{Ceilings{}, DefaultMaxPages + 1, 1, "PAGEWISE_MAX_EXPORT_PAGES"},
		{Ceilings{}, 1, DefaultMaxRecords + 1, "PAGEWISE_MAX_EXPORT_RECORDS"},
		{Ceilings{Pages: 10, Records: 1000}, 10, 1000, ""},
		{Ceilings{Pages: 10, Records: 1000}, 11, 1000, "11 pages, past the ceiling of 10"},
		{Ceilings{Pages: 10, Records: 1000}, 10, 1001, "1001 records, past the ceiling of 1000"},
	}
	for _, tc := range cases {
		err := tc.c.Check("p", "r", at, tc.pages, tc.records)
		var pe *Error
		switch {
		case tc.cause == "" && err != nil:
			t.Errorf("%+v at %d pages, %d records: %v", tc.c, tc.pages, tc.records, err)
		case tc.cause != "" && (!errors.As(err, &pe) || !pe.Contract || pe.Retryable || !strings.Contains(err.Error(), tc.cause)):
			t.Errorf("%+v at %d pages, %d records: %v, want a contract error saying %q", tc.c, tc.pages, tc.records, err, tc.cause)
		}
	}
}
