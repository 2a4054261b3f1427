package attio

import (
	"encoding/json"
	"time"

	"github.com/pagewise/pagewise/internal/provider"
)

// record holds the fields the export reads from an object record.
type record struct {
	ID struct {
		RecordID string `json:"record_id"`
	} `json:"id"`
	CreatedAt string `json:"created_at"`
}

// checkRecords holds a records page to recordSorts (created_at ascending from pos.Last,
// the previous page's last) and to since. It returns the page's last created_at.
func checkRecords(plan provider.Plan, pos provider.Position, recs []json.RawMessage) (string, error) {
	last := pos.Last
	prev, _ := time.Parse(time.RFC3339Nano, last)
	for _, raw := range recs {
		var r record
		if err := json.Unmarshal(raw, &r); err != nil {
			return "", fatal(plan.Resource, "a record is not a JSON object")
		}
		t, err := time.Parse(time.RFC3339Nano, r.CreatedAt)
		switch {
		case err != nil:
			return "", fatal(plan.Resource, "record %s has no created_at timestamp", r.ID.RecordID)
		case last != "" && t.Before(prev):
			return "", provider.Broken(Name, plan.Resource, pos, "record %s has created_at %s, before the previous %s: not sorted by created_at ascending", r.ID.RecordID, r.CreatedAt, last)
		case !plan.Since.IsZero() && t.Before(plan.Since):
			return "", provider.Broken(Name, plan.Resource, pos, "record %s has created_at %s, before since %s", r.ID.RecordID, r.CreatedAt, plan.Since.Format(time.RFC3339Nano))
		}
		prev, last = t, r.CreatedAt
	}
	return last, nil
}
