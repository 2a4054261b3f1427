package clio

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/pagewise/pagewise/internal/provider"
)

// keys are the fields the export reads from a record; the rest is never decoded.
type keys struct {
	ID        json.Number `json:"id"`
	CreatedAt string      `json:"created_at"`
	UpdatedAt string      `json:"updated_at"`
}

// checkPage holds a page to what was asked: ids increasing from pos.Last when paged by
// id(asc), and updated_at and created_at within since and the *_since filters.
func checkPage(plan provider.Plan, pos provider.Position, recs []json.RawMessage, byID bool) error {
	// since goes out in whole seconds (RFC 3339), so it is checked in whole seconds.
	updated := plan.Since.Truncate(time.Second)
	if updated.IsZero() {
		updated = sinceFilter(plan, "updated_since")
	}
	created := sinceFilter(plan, "created_since")
	last := pos.Last
	prev, _ := strconv.ParseInt(last, 10, 64)
	for _, rec := range recs {
		k, id, err := recordKeys(plan, rec)
		if err != nil {
			return err
		}
		switch {
		case byID && last != "" && id <= prev:
			return provider.Broken(Name, plan.Resource, pos, "record %d follows record %d: ids not increasing under order id(asc)", id, prev)
		case before(k.UpdatedAt, updated):
			return provider.Broken(Name, plan.Resource, pos, "record %d has updated_at %s, before updated_since %s", id, k.UpdatedAt, updated.Format(time.RFC3339))
		case before(k.CreatedAt, created):
			return provider.Broken(Name, plan.Resource, pos, "record %d has created_at %s, before created_since %s", id, k.CreatedAt, created.Format(time.RFC3339))
		}
		prev, last = id, k.ID.String()
	}
	return nil
}

// lastID is the page's last record's id, which the next page's check starts from (pos.Last
// for an empty page). Only that record is decoded: checkPage reads the rest.
func lastID(plan provider.Plan, pos provider.Position, recs []json.RawMessage) (string, error) {
	if len(recs) == 0 {
		return pos.Last, nil
	}
	k, _, err := recordKeys(plan, recs[len(recs)-1])
	if err != nil {
		return "", err
	}
	return k.ID.String(), nil
}

// recordKeys decodes the fields the checks read, and the record's numeric id.
func recordKeys(plan provider.Plan, rec json.RawMessage) (keys, int64, error) {
	var k keys
	if err := json.Unmarshal(rec, &k); err != nil {
		return k, 0, fatal(plan.Resource, "a record is not a JSON object")
	}
	id, err := k.ID.Int64()
	if err != nil {
		return k, 0, fatal(plan.Resource, "a record has no numeric id")
	}
	return k, id, nil
}

// sinceFilter is the time a *_since filter holds, zero when unset or unparseable.
func sinceFilter(plan provider.Plan, key string) time.Time {
	t, _ := time.Parse(time.RFC3339, plan.Filters[key])
	return t
}

// before reports whether the timestamp s is before bound; an absent s or bound never is.
func before(s string, bound time.Time) bool {
	if s == "" || bound.IsZero() {
		return false
	}
	t, err := time.Parse(time.RFC3339, s)
	return err == nil && t.Before(bound)
}
