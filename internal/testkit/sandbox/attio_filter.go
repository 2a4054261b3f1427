package sandbox

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// filter applies an Attio query filter: an object whose keys are attributes and whose values
// are a literal (equality) or an object of $eq/$gt/$gte/$lt/$lte. attrs are the attributes
// supported: created_at (timestamps), record_id and name (strings). $and/$or/$not and other
// attributes are refused with 400 so a connector never mistakes a sandbox limitation for
// "no match".
func (a *attio) filter(v *view, raw json.RawMessage, attrs []string) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var f map[string]json.RawMessage
	if err := json.Unmarshal(raw, &f); err != nil {
		return fmt.Errorf("filter must be an object")
	}
	keys := slices.Sorted(maps.Keys(f)) // deterministic error messages
	var preds []func(int) bool
	for _, attr := range keys {
		switch {
		case strings.HasPrefix(attr, "$"):
			return fmt.Errorf("%s is not supported by the sandbox", attr)
		case !slices.Contains(attrs, attr):
			return fmt.Errorf("unknown attribute %q (the sandbox filters on %s here)", attr, strings.Join(attrs, ", "))
		}
		ops, err := attioOps(f[attr])
		if err != nil {
			return fmt.Errorf("%s: %v", attr, err)
		}
		for op, lit := range ops {
			var s string
			if err := json.Unmarshal(lit, &s); err != nil {
				return fmt.Errorf("%s: %s expects a string", attr, op)
			}
			switch attr {
			case "created_at":
				ts, err := time.Parse(time.RFC3339Nano, s)
				if err != nil {
					return fmt.Errorf("created_at: %q is not an ISO 8601 timestamp", s)
				}
				// created is monotonic in index order, so a time range is an index range.
				rop := strings.TrimPrefix(op, "$")
				if rop == "eq" {
					rop = ""
				}
				v.lo, v.hi = createdRange(v.t, rop, ts, v.lo, v.hi)
			case "record_id", "name":
				get := func(i int) string { return v.t.meta(i).id }
				if attr == "name" {
					get = func(i int) string { return a.name(v.t, i) }
				}
				preds = append(preds, stringOp(op, s, get))
			}
		}
	}
	if len(preds) > 0 {
		v.pred = func(i int) bool {
			for _, p := range preds {
				if !p(i) {
					return false
				}
			}
			return true
		}
	}
	return nil
}

// attioOps turns a condition into operator -> literal; a bare literal means $eq.
func attioOps(cond json.RawMessage) (map[string]json.RawMessage, error) {
	c := strings.TrimSpace(string(cond))
	switch {
	case strings.HasPrefix(c, "{"):
		var ops map[string]json.RawMessage
		if err := json.Unmarshal(cond, &ops); err != nil {
			return nil, err
		}
		if len(ops) == 0 {
			return nil, fmt.Errorf("empty condition")
		}
		for op := range ops {
			switch op {
			case "$eq", "$gt", "$gte", "$lt", "$lte":
			default:
				return nil, fmt.Errorf("unknown operator %q", op)
			}
		}
		return ops, nil
	case strings.HasPrefix(c, "["), c == "null", c == "":
		return nil, fmt.Errorf("expected a literal or an operator object")
	}
	return map[string]json.RawMessage{"$eq": cond}, nil
}

func stringOp(op, want string, get func(int) string) func(int) bool {
	return func(i int) bool {
		c := strings.Compare(get(i), want)
		switch op {
		case "$gt":
			return c > 0
		case "$gte":
			return c >= 0
		case "$lt":
			return c < 0
		case "$lte":
			return c <= 0
		}
		return c == 0
	}
}

// attioSorts supports sorting by created_at only; index order is created_at order. It
// returns how many sorts the request has.
func attioSorts(v *view, raw json.RawMessage) (int, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return 0, nil
	}
	var sorts []struct {
		Attribute string `json:"attribute"`
		Direction string `json:"direction"`
	}
	if err := json.Unmarshal(raw, &sorts); err != nil {
		return 0, fmt.Errorf("sorts must be an array of {attribute, direction}")
	}
	for _, s := range sorts {
		if s.Attribute != "created_at" {
			return 0, fmt.Errorf("sorting by %q is not supported by the sandbox (created_at only)", s.Attribute)
		}
		if s.Direction != "asc" && s.Direction != "desc" {
			return 0, fmt.Errorf("direction must be asc or desc")
		}
	}
	if len(sorts) > 0 {
		v.desc = sorts[0].Direction == "desc"
	}
	return len(sorts), nil
}
