package clever

import (
	"encoding/json"
	"time"

	"github.com/pagewise/pagewise/internal/provider"
)

// eventHistory is how long Clever keeps events: "Events are stored for a period of 30
// days. The event feed is sorted from older to newest"
// (https://dev.clever.com/docs/events-api).
const eventHistory = 30 * 24 * time.Hour

// checkHistory refuses, before the first page, a since older than the events Clever keeps:
// the events between since and the oldest kept one may be gone, and the export could not
// tell. Later pages are not checked: events expiring during the walk are before since.
func (c *Connector) checkHistory(row resource, plan provider.Plan, pos provider.Position) error {
	if !row.events || plan.Since.IsZero() || pos.Cursor != "" {
		return nil
	}
	if oldest := c.now().Add(-eventHistory); plan.Since.Before(oldest) {
		return fatal(plan.Resource, "since %s is more than 30 days ago and Clever keeps events for 30 days, so events before %s may be gone: export the lists whole (without since), then events from now on",
			plan.Since.UTC().Format(time.RFC3339), oldest.UTC().Format(time.RFC3339))
	}
	return nil
}

// keepSince keeps the events created at or after since. The Events API documents no time
// filter, so the export walks the whole log from its oldest event and drops the rest here,
// counting them as Skipped. Every event is judged on its own created time: none is skipped
// for coming out of order.
func keepSince(plan provider.Plan, at provider.Position, page provider.Page) (provider.Page, error) {
	kept := make([]json.RawMessage, 0, len(page.Records))
	for _, rec := range page.Records {
		var e struct {
			ID      string `json:"id"`
			Created string `json:"created"`
		}
		if err := json.Unmarshal(rec, &e); err != nil {
			return provider.Page{}, fatal(plan.Resource, "an event is not a JSON object")
		}
		created, err := time.Parse(time.RFC3339Nano, e.Created)
		if err != nil {
			return provider.Page{}, provider.Broken(Name, plan.Resource, at, "event %s has no valid created time", e.ID)
		}
		if !created.Before(plan.Since) {
			kept = append(kept, rec)
		}
	}
	page.Skipped = len(page.Records) - len(kept)
	page.Records = kept
	return page, nil
}
