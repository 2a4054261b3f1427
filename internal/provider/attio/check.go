package attio

import (
	"cmp"
	"encoding/json"
	"time"

	"github.com/pagewise/pagewise/internal/provider"
)

// sorted holds the fields the export reads from a record, entry or task: its id and the
// created_at its pages are sorted by.
type sorted struct {
	ID struct {
		RecordID string `json:"record_id"`
		EntryID  string `json:"entry_id"`
		TaskID   string `json:"task_id"`
	} `json:"id"`
	CreatedAt string `json:"created_at"`
}

func (s sorted) id() string { return cmp.Or(s.ID.RecordID, s.ID.EntryID, s.ID.TaskID) }

// checkCreated holds a page to created_at ascending from pos.Last (the previous page's
// last) and to since. It returns the page's last created_at.
func checkCreated(plan provider.Plan, pos provider.Position, recs []json.RawMessage) (string, error) {
	last := pos.Last
	prev, _ := time.Parse(time.RFC3339Nano, last)
	for _, raw := range recs {
		var r sorted
		if err := json.Unmarshal(raw, &r); err != nil {
			return "", fatal(plan.Resource, "a record is not a JSON object")
		}
		t, err := time.Parse(time.RFC3339Nano, r.CreatedAt)
		switch {
		case err != nil:
			return "", fatal(plan.Resource, "record %s has no created_at timestamp", r.id())
		case last != "" && t.Before(prev):
			return "", provider.Broken(Name, plan.Resource, pos, "record %s has created_at %s, before the previous %s: not sorted by created_at ascending", r.id(), r.CreatedAt, last)
		case !plan.Since.IsZero() && t.Before(plan.Since):
			return "", provider.Broken(Name, plan.Resource, pos, "record %s has created_at %s, before since %s", r.id(), r.CreatedAt, plan.Since.Format(time.RFC3339Nano))
		}
		prev, last = t, r.CreatedAt
	}
	return last, nil
}
