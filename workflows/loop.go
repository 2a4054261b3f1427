package workflows

import (
	"math"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/pagewise/pagewise/activities"
)

// pageTimeout bounds one page attempt: a paced request, its retries and the write.
const pageTimeout = 5 * time.Minute

// pageLoop runs one run's pages: partitions page concurrently, each strictly serial, until
// every partition is done, the run has done its share, or a page fails for good.
type pageLoop struct {
	x      *exporter
	ctx    workflow.Context
	actx   workflow.Context // the page queue
	lctx   workflow.Context // local pages
	bctx   workflow.Context // local batches of pages
	local  bool
	batch  bool // local pages come in batches (pageBatches)
	holds  bool // a failing page waits and is retried by the workflow (pageHolds)
	limit  int  // pages a run may take
	events int  // history events a run may take
	clock  taskClock
	handed map[int]bool // partitions whose current page goes to the queue
	rb     *rebalancer  // nil: partitions keep the bounds they were planned with
	sel    workflow.Selector
	cases  []*selected // given to sel, in order; see await
	fired  int         // of cases
	// pending counts pages in flight and waits between attempts; ready holds partitions
	// whose page just ended and may go on.
	pending int
	ready   []int
	err     error
}

func (x *exporter) run(ctx workflow.Context) error {
	return newPageLoop(ctx, x).run()
}

func newPageLoop(ctx workflow.Context, x *exporter) *pageLoop {
	l := &pageLoop{x: x, ctx: ctx, handed: map[int]bool{}, sel: workflow.NewSelector(ctx)}
	l.limit, l.events = x.runBounds(ctx)
	l.local = x.localPages(ctx)
	l.holds = pageHoldsOn(ctx)
	l.actx = x.pageOptions(ctx, l.holds)
	l.lctx = localPageOptions(ctx, pageTimeout)
	if l.local && pageBatchesOn(ctx) {
		l.batch = true
		// A batch starts no page after localTaskTime; its last may take a page's time.
		l.bctx = localPageOptions(ctx, pageTimeout+localTaskTime)
	}
	if l.local && l.limit == math.MaxInt {
		l.limit = serialPagesPerRun
	}
	if x.rebalancing(ctx) {
		l.rb = &rebalancer{x: x}
		l.rb.thrift = workflow.GetVersion(ctx, thriftChange, workflow.DefaultVersion, thriftVersion) >= thriftVersion
	}
	return l
}

// pageOptions sends pages to the provider's page queue. Without holds the server retries
// a page for ever; with them it retries for a couple of minutes and then hands the
// failure to the workflow, which waits and shows why in the progress query.
func (x *exporter) pageOptions(ctx workflow.Context, holds bool) workflow.Context {
	hb := time.Duration(x.in.HeartbeatSeconds) * time.Second
	if hb <= 0 {
		hb = 10 * time.Second
	}
	retry := &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute}
	if holds {
		retry.MaximumAttempts = pageAttempts
	}
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		TaskQueue:           PageQueue(workflow.GetInfo(ctx).TaskQueueName, x.export.Provider, x.export.Credential),
		StartToCloseTimeout: pageTimeout,
		HeartbeatTimeout:    hb,
		RetryPolicy:         retry,
	})
}

func (l *pageLoop) run() error {
	for {
		l.rebalanceIdle()
		for i := range l.x.st.Partitions {
			if !l.x.st.Partitions[i].Done && !l.x.paused {
				l.launch(i)
			}
		}
		for l.pending > 0 {
			l.compact()
			l.sel.Select(l.ctx)
			l.goOn()
		}
		if l.endOfRun() || l.x.allDone() {
			return l.err
		}
		// Paused with nothing in flight: wait for resume (or cancellation). The progress
		// query says idle: the pause has taken effect.
		l.x.halted = true
		err := workflow.Await(l.ctx, func() bool { return !l.x.paused })
		l.x.halted = false
		if err != nil {
			return err
		}
	}
}

// goOn launches the next page of every partition whose page just ended, closing the
// workflow task first when local pages have run long enough.
func (l *pageLoop) goOn() {
	for _, i := range l.ready {
		// A pause may arrive while the task closes: look again after.
		if l.local && l.launchable(i) {
			if err := l.clock.closeTask(l.ctx); err != nil && l.err == nil {
				l.err = err
			}
		}
		switch {
		case l.launchable(i):
			l.launch(i)
		case l.batch && l.x.paused:
			l.stopStream(i)
		}
	}
	l.ready = l.ready[:0]
}

// rebalanceIdle cuts partitions for free slots while nothing is in flight: when a run
// starts, and after a pause.
func (l *pageLoop) rebalanceIdle() {
	if l.rb == nil || l.endOfRun() {
		return
	}
	var idle []int
	for i, p := range l.x.st.Partitions {
		if !p.Done {
			idle = append(idle, i)
		}
	}
	l.rb.rebalance(l.ctx, idle...)
}

func (l *pageLoop) endOfRun() bool {
	return l.err != nil || l.x.runPages >= l.limit || historyFull(l.ctx, l.events)
}

func (l *pageLoop) launchable(i int) bool {
	return !l.endOfRun() && !l.x.paused && !l.x.st.Partitions[i].Done
}

func (l *pageLoop) launch(i int) {
	p := l.x.st.Partitions[i]
	in := activities.PageInput{
		Resolved: l.x.st.Resolved, Partition: p.ID, Seq: p.Pages + 1, Position: p.Position, Fetched: l.x.fetched(),
	}
	in.ExportPages, in.ExportRecords = l.x.written()
	isLocal := l.local && !l.handed[i]
	if isLocal && l.batch {
		l.launchBatch(i, in)
		return
	}
	l.pending++
	var f workflow.Future
	if isLocal {
		f = workflow.ExecuteLocalActivity(l.lctx, a.FetchPage, in)
	} else {
		f = workflow.ExecuteActivity(l.actx, a.FetchPage, in)
	}
	l.await(f, func(f workflow.Future) {
		l.pending--
		var res activities.PageResult
		if err := f.Get(l.ctx, &res); err != nil {
			l.failed(i, isLocal, err)
			return
		}
		delete(l.handed, i)
		if isLocal {
			l.clock.add(res.Took)
		}
		if l.holds {
			l.x.recovered(l.ctx, i)
		}
		l.x.apply(i, res)
		l.ready = append(l.ready, i)
		if !l.x.st.Planned {
			l.ready = append(l.ready, l.x.plan(res.Total)...)
		}
		if l.rb != nil {
			l.ready = append(l.ready, l.rb.rebalance(l.ctx, i)...)
		}
	})
}

// failed handles a page that did not complete: a local page goes to the queue, a page
// that may work later waits (with holds), anything else ends the run.
func (l *pageLoop) failed(i int, isLocal bool, err error) {
	if isLocal && handOver(err) && l.ctx.Err() == nil {
		l.handed[i] = true
		l.ready = append(l.ready, i)
		return
	}
	if l.holds && l.ctx.Err() == nil {
		wait, ferr := l.x.hold(l.ctx, i, err)
		if ferr == nil {
			l.handed[i] = true // retries show as a pending activity, with their last failure
			l.after(i, wait)
			return
		}
		err = ferr
	}
	if l.err == nil {
		l.err = err
	}
}

// after relaunches partition i's page once wait has passed.
func (l *pageLoop) after(i int, wait time.Duration) {
	l.pending++
	l.await(workflow.NewTimer(l.ctx, wait), func(f workflow.Future) {
		l.pending--
		if err := f.Get(l.ctx, nil); err != nil {
			if l.err == nil {
				l.err = err
			}
			return
		}
		l.ready = append(l.ready, i)
	})
}
