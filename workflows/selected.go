package workflows

import "go.temporal.io/sdk/workflow"

// selected is a future the page loop selects on, and what runs once it is ready.
type selected struct {
	f     workflow.Future
	done  func(workflow.Future)
	fired bool
}

// await has the loop's Select run done once f is ready.
func (l *pageLoop) await(f workflow.Future, done func(workflow.Future)) {
	c := &selected{f: f}
	c.done = func(f workflow.Future) {
		c.fired = true
		l.fired++
		done(f)
	}
	l.cases = append(l.cases, c)
	l.sel.AddFuture(f, c.done)
}

// compact gives the loop a new selector holding only the cases still waiting, in the
// order they were added, so Select chooses exactly as the old one would. A
// workflow.Selector keeps every case it was ever given (a fired one is only marked), and
// each holds its result: a run of thousands of pages grew by each page's, and every Select
// walked them all.
func (l *pageLoop) compact() {
	if l.fired < 64 || 2*l.fired < len(l.cases) {
		return
	}
	l.sel = workflow.NewSelector(l.ctx)
	kept := l.cases[:0]
	for _, c := range l.cases {
		if !c.fired {
			kept = append(kept, c)
			l.sel.AddFuture(c.f, c.done)
		}
	}
	clear(l.cases[len(kept):])
	l.cases, l.fired = kept, 0
}
