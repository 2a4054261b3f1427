package main

import (
	"context"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
)

// phases is where a durable export's time went, read from its runs' histories: from the
// workflow's start to Prepare's completion, to the first page (a serial export's first
// batch of pages), to the last page, and to the workflow's completion (the provider's
// count at the end, Finish and the manifest's verification).
type phases struct {
	prepare, first, pages, finish time.Duration
}

// phaseClock collects the event times phases are cut at.
type phaseClock struct {
	started, prepared, firstPage, lastPage, completed time.Time
	names                                             map[int64]string // scheduled event id → activity type
}

// phases reads every run's history, the first to the last.
func (e *env) phases(ctx context.Context, workflowID string, runIDs []string) (phases, error) {
	c := &phaseClock{}
	for _, run := range runIDs {
		c.names = map[int64]string{}
		it := e.client.GetWorkflowHistory(ctx, workflowID, run, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				return phases{}, err
			}
			c.see(ev)
		}
	}
	if c.firstPage.IsZero() {
		c.firstPage, c.lastPage = c.prepared, c.prepared
	}
	return phases{prepare: c.prepared.Sub(c.started), first: c.firstPage.Sub(c.prepared),
		pages: c.lastPage.Sub(c.firstPage), finish: c.completed.Sub(c.lastPage)}, nil
}

func (c *phaseClock) see(ev *historypb.HistoryEvent) {
	at := ev.GetEventTime().AsTime()
	switch ev.GetEventType() {
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
		if c.started.IsZero() {
			c.started = at
		}
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
		c.names[ev.GetEventId()] = ev.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName()
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
		switch c.names[ev.GetActivityTaskCompletedEventAttributes().GetScheduledEventId()] {
		case "Prepare":
			c.prepared = at
		case "FetchPage":
			c.page(at)
		}
	case enumspb.EVENT_TYPE_MARKER_RECORDED:
		// Only pages run as local activities.
		if ev.GetMarkerRecordedEventAttributes().GetMarkerName() == "LocalActivity" {
			c.page(at)
		}
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
		c.completed = at
	}
}

func (c *phaseClock) page(at time.Time) {
	if c.firstPage.IsZero() {
		c.firstPage = at
	}
	c.lastPage = at
}
