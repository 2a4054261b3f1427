package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/pagewise/pagewise/activities"
)

// From pageBatches a serial export's local activity fetches a batch of pages, a workflow
// task's worth (localTaskTime or localTaskPages), and writes each page while it fetches
// the next: the write no longer waits on the fetch path, and the batch is one marker in
// history rather than one a page. A crash still re-fetches at most one task's pages, onto
// the same keys. Runs that began before it replay page by page.
const (
	pageBatchesChange  = "page-batches"
	pageBatchesVersion = 1
)

func pageBatchesOn(ctx workflow.Context) bool {
	return workflow.GetVersion(ctx, pageBatchesChange, workflow.DefaultVersion, pageBatchesVersion) >= pageBatchesVersion
}

// launchBatch starts partition i's next batch of pages as a local activity.
func (l *pageLoop) launchBatch(i int, in activities.PageInput) {
	l.pending++
	batch := activities.PagesInput{PageInput: in, MaxPages: min(localTaskPages, l.limit-l.x.runPages), MaxTime: localTaskTime}
	f := workflow.ExecuteLocalActivity(l.bctx, a.FetchPages, batch)
	l.await(f, func(f workflow.Future) {
		l.pending--
		var res activities.PagesResult
		if err := f.Get(l.ctx, &res); err != nil {
			l.failed(i, true, err)
			return
		}
		l.clock.addBatch(res.Took, res.Fetched)
		if l.holds {
			l.x.recovered(l.ctx, i)
		}
		l.x.applyBatch(i, res)
		if res.Failed {
			l.handed[i] = true // the page that failed retries on the page queue
		}
		l.ready = append(l.ready, i)
		if !l.x.st.Planned {
			l.ready = append(l.ready, l.x.plan(res.Total)...)
		}
	})
}

func (x *exporter) applyBatch(i int, res activities.PagesResult) {
	p := &x.st.Partitions[i]
	p.Pages += res.Pages
	p.Records += res.Records
	p.Bytes += res.Bytes
	p.Position, p.Done = res.Next, res.Done
	if res.Total > 0 && !x.st.Planned {
		x.total = res.Total
	}
	x.runPages += res.Fetched
}

func (c *taskClock) addBatch(took time.Duration, pages int) { c.took += took; c.pages += pages }

// stopStream stops partition i's pages being fetched ahead on this worker while the
// export is paused: a paused export asks the API for nothing.
func (l *pageLoop) stopStream(i int) {
	p := l.x.st.Partitions[i]
	if p.Done {
		return
	}
	in := activities.PageInput{Resolved: l.x.st.Resolved, Partition: p.ID, Seq: p.Pages + 1, Position: p.Position}
	ctx := localPageOptions(l.ctx, time.Minute)
	if err := workflow.ExecuteLocalActivity(ctx, a.StopStream, in).Get(l.ctx, nil); err != nil {
		workflow.GetLogger(l.ctx).Warn("could not stop pages fetched ahead", "export_id", l.x.st.ExportID, "error", err)
	}
}
