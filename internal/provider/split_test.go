package provider

import (
	"encoding/json"
	"testing"
	"time"
)

func TestResplitOffsetCoversTheRestOnce(t *testing.T) {
	at := Position{Offset: 300, End: 1_250, Last: "299", Guard: Guard{Mark: "m", Power: 4}}
	start := Position{Offset: 100, End: 1_250}
	chains := Resplit(StrategyOffset, Chain{Position: at, Start: &start}, 100, 3)
	if len(chains) != 3 {
		t.Fatalf("%d chains, want 3: %+v", len(chains), chains)
	}
	next := at.Offset
	for i, c := range chains {
		if c.Position.Offset != next || c.Position.End <= c.Position.Offset || (i > 0 && c.Position.Offset%100 != 0) {
			t.Fatalf("chain %d = %+v, want it to start at %d", i, c.Position, next)
		}
		if c.Start == nil || c.Start.End != c.Position.End {
			t.Fatalf("chain %d restarts at %+v, want a start bounded by its end %d", i, c.Start, c.Position.End)
		}
		next = c.Position.End
	}
	if next != 1_250 {
		t.Fatalf("chains end at %d, want 1250", next)
	}
	if c := chains[0]; c.Position.Last != "299" || c.Position.Guard != at.Guard || c.Start.Offset != 100 {
		t.Fatalf("first chain = %+v from %+v: it must keep what the partition noted and its own start", c.Position, *c.Start)
	}
}

func TestResplitWindowCutsTimeFromTheLastRecord(t *testing.T) {
	at := Position{From: "2024-01-01T00:00:00.000000+00:00", Offset: 2, Until: "2024-01-04T00:00:00.000000+00:00",
		Cursor: "walk", Anchor: "2023-12-01T00:00:00.000000+00:00", Walked: 300}
	chains := Resplit(StrategyWindow, Chain{Position: at}, 100, 3)
	want := []string{"2024-01-01T00:00:00.000000+00:00", "2024-01-02T00:00:00.000000+00:00",
		"2024-01-03T00:00:00.000000+00:00", "2024-01-04T00:00:00.000000+00:00"}
	if len(chains) != 3 {
		t.Fatalf("%d chains, want 3: %+v", len(chains), chains)
	}
	for i, c := range chains {
		if c.Position.From != want[i] || c.Position.Until != want[i+1] {
			t.Fatalf("chain %d = %+v, want [%s, %s)", i, c.Position, want[i], want[i+1])
		}
	}
	// The first chain restarts its walk at the records it has passed, within its new bound.
	if c := chains[0].Position; c.Offset != 2 || c.Cursor != "" || c.Anchor != "" || c.Walked != 0 {
		t.Fatalf("first chain = %+v, want a fresh walk from the last record seen, skipping its 2 ties", c)
	}
}

func TestResplitLeavesWhatCannotBeCut(t *testing.T) {
	for _, c := range []struct {
		name     string
		strategy string
		at       Position
		n        int
	}{
		{"one page left", StrategyOffset, Position{Offset: 900, End: 1_000}, 4},
		{"unbounded", StrategyOffset, Position{Offset: 900}, 4},
		{"interleaved", StrategyOffset, Position{Offset: 900, Stride: 4}, 4},
		{"open window", StrategyWindow, Position{Until: "2024-01-04T00:00:00.000000+00:00"}, 4},
		{"a millisecond", StrategyWindow, Position{From: "2024-01-04T00:00:00.000000+00:00", Until: "2024-01-04T00:00:00.001000+00:00"}, 4},
		{"cursor", StrategyCursor, Position{Cursor: "x"}, 4},
		{"one wanted", StrategyOffset, Position{Offset: 0, End: 1_000}, 1},
	} {
		chains := Resplit(c.strategy, Chain{Position: c.at}, 100, c.n)
		if len(chains) != 1 || chains[0].Position != c.at {
			t.Errorf("%s: cut into %+v", c.name, chains)
		}
		if c.n > 1 && Remaining(c.strategy, c.at, 100) != 0 {
			t.Errorf("%s: Remaining %v, want 0 for what Resplit leaves whole", c.name, Remaining(c.strategy, c.at, 100))
		}
	}
	// Two milliseconds still make two chains: Remaining and Resplit agree at the edge.
	at := Position{From: "2024-01-04T00:00:00.000000+00:00", Until: "2024-01-04T00:00:00.002000+00:00"}
	if got := Resplit(StrategyWindow, Chain{Position: at}, 100, 8); len(got) != 2 {
		t.Fatalf("a 2 ms window cut into %d chains, want 2", len(got))
	}
	if got := Remaining(StrategyWindow, at, 100); got != float64(2*time.Millisecond) {
		t.Fatalf("Remaining = %v, want 2ms", got)
	}
}

func TestSplitUpfront(t *testing.T) {
	window := Plan{Spec: Spec{Strategy: StrategyWindow, PageSize: 10}}
	offset := Plan{Spec: Spec{Strategy: StrategyOffset, PageSize: 10}}
	bounded := Position{From: "2024-01-01T00:00:00Z", Until: "2024-01-05T00:00:00Z"}
	chains := SplitUpfront(window, false, bounded, 4)
	if len(chains) != 4 || chains[0].Position.From != bounded.From || chains[3].Position.Until != bounded.Until ||
		chains[1].Position.From != "2024-01-02T00:00:00.000000+00:00" {
		t.Fatalf("window: %+v", chains)
	}
	for i, c := range chains {
		if c.Start == nil || *c.Start != c.Position {
			t.Fatalf("window chain %d starts at %+v, at %+v", i, c.Start, c.Position)
		}
	}
	strides := SplitUpfront(offset, true, Position{}, 3)
	if len(strides) != 3 || strides[0].Start == nil || strides[0].Position.Stride != 3 || strides[2].Position.Offset != 20 {
		t.Fatalf("strides: %+v", strides)
	}
	// The first page is needed: where the data begins, or the total that ranges are cut by.
	for name, got := range map[string][]Chain{
		"open window":   SplitUpfront(window, false, Position{Until: bounded.Until}, 4),
		"counted pages": SplitUpfront(offset, false, Position{}, 4),
		"one slot":      SplitUpfront(window, false, bounded, 1),
	} {
		if got != nil {
			t.Errorf("%s: planned upfront as %+v", name, got)
		}
	}
}

// A window's pages left are its span left over the span its latest full page covered;
// an offset range's are exact; with nothing to go on the estimate is negative.
func TestPagesLeft(t *testing.T) {
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	w := Position{From: at.Format(WindowTime), Until: at.Add(50 * time.Hour).Format(WindowTime)}
	next := Position{From: at.Add(10 * time.Hour).Format(WindowTime), Until: w.Until}
	if got := Span(w, next); got != 10*time.Hour {
		t.Fatalf("a page from %s to %s spans %v, want 10h", w.From, next.From, got)
	}
	if got := Span(w, w); got != 0 {
		t.Fatalf("a page past tied records only spans %v, want 0", got)
	}
	cases := []struct {
		name     string
		strategy string
		p        Position
		span     time.Duration
		want     float64
	}{
		{"window", StrategyWindow, w, 10 * time.Hour, 5},
		{"window, no page seen", StrategyWindow, w, 0, -1},
		{"offset range", StrategyOffset, Position{Offset: 200, End: 1_000}, 0, 8},
		{"offset, unbounded", StrategyOffset, Position{Offset: 200}, 0, -1},
		{"cursor", StrategyCursor, Position{Cursor: "c"}, time.Hour, -1},
	}
	for _, c := range cases {
		if got := PagesLeft(c.strategy, c.p, c.span, 100); got != c.want {
			t.Errorf("%s: %v pages left, want %v", c.name, got, c.want)
		}
	}
}

func TestNextInStride(t *testing.T) {
	rec := []json.RawMessage{json.RawMessage(`{}`)}
	req := StrideRequest(Position{Offset: 300, Stride: 4}, 100)
	if req.End != 400 {
		t.Fatalf("request %+v: a share of 100 from 300 ends at 400", req)
	}
	full := NextInStride(req, Page{Records: rec, Next: Position{Offset: 400, End: 400, Last: "2024-01-02"}, Done: true}, 100)
	if full.Done || full.Next != (Position{Offset: 700, Stride: 4, Last: "2024-01-02"}) {
		t.Fatalf("got %+v: a stride of 4 pages of 100 goes from 300 to 700 and keeps Last", full)
	}
	// A short page before the share's end: the chain reads the rest of its share.
	short := NextInStride(req, Page{Records: rec, Next: Position{Offset: 325, End: 400, Limit: 25}, Done: true}, 100)
	if short.Done || short.Next != (Position{Offset: 325, End: 400, Stride: 4, Limit: 25}) {
		t.Fatalf("got %+v: a page of 25 at 300 goes on at 325 within the share, keeping its limit", short)
	}
	if req2 := StrideRequest(short.Next, 100); req2 != short.Next {
		t.Fatalf("a position partway through a share keeps its bound: %+v", req2)
	}
	if empty := NextInStride(req, Page{Next: Position{Offset: 300, End: 400}, Done: true}, 100); !empty.Done {
		t.Fatalf("an empty page ends the chain: %+v", empty)
	}
}

// TestSplitsKeepRefusedFields: every chain a split or a resplit makes, and the position it
// pages again from, leaves out the fields the API refused before it.
func TestSplitsKeepRefusedFields(t *testing.T) {
	const refused = "kyc_field_values,legal_aid_uk_contact"
	window := Position{From: "2024-01-01T00:00:00.000000+00:00", Until: "2024-01-04T00:00:00.000000+00:00", Refused: refused}
	start := window
	cases := map[string][]Chain{
		"offset": Split(StrategyOffset, Chain{Position: Position{Offset: 100, Refused: refused}, Start: &Position{}}, 1_000, 100, 4),
		"stride": Split(StrategyOffset, Chain{Position: Position{Offset: 100, Refused: refused}}, -1, 100, 4),
		"window": Split(StrategyWindow, Chain{Position: window, Start: &start}, -1, 100, 3),
		"resplit offset": Resplit(StrategyOffset, Chain{Position: Position{Offset: 300, End: 1_250, Refused: refused},
			Start: &Position{Offset: 100, End: 1_250}}, 100, 3),
		"resplit window": Resplit(StrategyWindow, Chain{Position: window}, 100, 3),
	}
	for name, chains := range cases {
		if len(chains) < 3 {
			t.Fatalf("%s: %d chains", name, len(chains))
		}
		for i, c := range chains {
			if c.Position.Refused != refused || (c.Start != nil && c.Start.Refused != refused) {
				t.Fatalf("%s: chain %d at %+v from %+v forgets the refused fields", name, i, c.Position, c.Start)
			}
		}
	}
}
