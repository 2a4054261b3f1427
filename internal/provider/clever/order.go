package clever

import (
	"encoding/json"
	"net/url"

	"github.com/pagewise/pagewise/internal/provider"
)

// ascending holds a page to Clever's range paging: ids ascending, each after the
// starting_after of the request (target) and after the previous page's last id. Ids are
// 24 lowercase hex digits, so they compare as strings. It returns the page's last id.
func ascending(resource string, at provider.Position, target string, recs []json.RawMessage) (string, error) {
	prev := at.Last
	if u, err := url.Parse(target); err == nil {
		if after := u.Query().Get("starting_after"); after > prev {
			prev = after
		}
	}
	for _, rec := range recs {
		var r struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(rec, &r) != nil || r.ID == "" {
			return "", fatal(resource, "a record has no id")
		}
		if prev != "" && r.ID <= prev {
			return "", provider.Broken(Name, resource, at, "record %s follows %s: ids not ascending after starting_after", r.ID, prev)
		}
		prev = r.ID
	}
	return prev, nil
}
