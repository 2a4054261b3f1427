package activities

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// tally checks page objects, as a listing yields them, against the counts the workflow
// recorded from each page activity: exactly pages 1..n of every partition, in order.
type tally struct {
	want     []Partition
	got      map[int]*Partition
	gap      map[int]bool // a partition already reported out of sequence
	problems problems
}

func newTally(parts []Partition) *tally {
	want := slices.Clone(parts)
	slices.SortFunc(want, func(x, y Partition) int { return x.ID - y.ID })
	return &tally{want: want, got: map[int]*Partition{}, gap: map[int]bool{}}
}

func (t *tally) add(o PageObject) {
	g := t.got[o.Partition]
	if g == nil {
		g = &Partition{ID: o.Partition}
		t.got[o.Partition] = g
	}
	if o.Seq != g.Pages+1 && !t.gap[o.Partition] {
		t.problems.add("partition %d: page %d where page %d was expected", o.Partition, o.Seq, g.Pages+1)
		t.gap[o.Partition] = true
	}
	g.Pages++
	g.Records += int64(o.Records)
	g.Bytes += o.Bytes
}

// check reports every partition whose objects disagree with the workflow's counts.
func (t *tally) check() error {
	known := map[int]bool{}
	for _, p := range t.want {
		known[p.ID] = true
	}
	var unknown []int
	for id := range t.got {
		if !known[id] {
			unknown = append(unknown, id)
		}
	}
	slices.Sort(unknown)
	for _, id := range unknown {
		t.problems.add("objects for unknown partition %d", id)
	}
	for _, p := range t.want {
		g := t.got[p.ID]
		if g == nil {
			g = &Partition{}
		}
		if g.Pages != p.Pages || g.Records != p.Records || g.Bytes != p.Bytes {
			t.problems.add("partition %d: bucket holds %d pages/%d records/%d bytes, the export wrote %d/%d/%d",
				p.ID, g.Pages, g.Records, g.Bytes, p.Pages, p.Records, p.Bytes)
		}
	}
	return t.problems.err()
}

// maxProblems is how many disagreements an error names; the rest are counted.
const maxProblems = 10

// problems keeps the first few of any number of disagreements, so a bucket that is wrong
// everywhere costs no more memory than one wrong once.
type problems struct {
	first []string
	n     int
}

func (p *problems) add(format string, args ...any) {
	p.n++
	if len(p.first) < maxProblems {
		p.first = append(p.first, fmt.Sprintf(format, args...))
	}
}

func (p *problems) err() error {
	if p.n == 0 {
		return nil
	}
	msg := strings.Join(p.first, "; ")
	if more := p.n - len(p.first); more > 0 {
		msg += fmt.Sprintf("; and %d more", more)
	}
	return errors.New(msg)
}
