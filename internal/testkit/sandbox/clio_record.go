package sandbox

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// clioRecord renders one record's fields: each field draws from its own hash stream, so
// every value is fixed by (Seed, table, index) and the record's timestamps.
type clioRecord struct {
	t       *table
	i       int
	m       meta
	special map[string]any
}

func (r clioRecord) value(f clioField) any {
	switch f.name {
	case "id":
		if f.kind == "s" {
			return r.m.id
		}
		id, _ := strconv.ParseInt(r.m.id, 10, 64)
		return id
	case "etag":
		return clioEtag(r.t.salt ^ mix(uint64(r.i)) ^ uint64(r.m.updated.Unix()))
	case "created_at":
		return r.m.created.Format(clioTime)
	case "updated_at":
		return r.m.updated.Format(clioTime)
	}
	if v, ok := r.special[f.name]; ok {
		return v
	}
	h := r.t.h(r.i, f.hash)
	switch f.kind {
	case "one":
		if h%4 == 0 {
			return nil // no such association
		}
		return r.nested(f.sub, h)
	case "many", "cfv":
		list := make([]obj, h%3)
		for k := range list {
			list[k] = r.nested(f.sub, mix(h+uint64(k)))
		}
		return list
	}
	return clioScalar(f, h, r.m.created)
}

// nested is a nested resource: ids of its own, the record's timestamps.
func (r clioRecord) nested(sub []clioField, h uint64) obj {
	o := make(obj, 0, len(sub))
	for _, f := range sub {
		fh := mix(h ^ f.hash)
		var v any
		switch {
		case f.name == "id" && f.kind == "s":
			v = fmt.Sprintf("text_line-%d", 1_000_000+fh%9_000_000)
		case f.name == "id":
			v = int64(1_000_000 + fh%9_000_000)
		case f.name == "etag":
			v = clioEtag(fh)
		case f.name == "created_at":
			v = r.m.created.Format(clioTime)
		case f.name == "updated_at":
			v = r.m.updated.Format(clioTime)
		case f.kind == "one":
			v = r.nested(f.sub, fh)
		default:
			v = clioScalar(f, fh, r.m.created)
		}
		o = append(o, kv{f.name, v})
	}
	return o
}

// clioScalar is a plausible value of a scalar kind; dates fall within 90 days of created.
func clioScalar(f clioField, h uint64, created time.Time) any {
	switch f.kind {
	case "i":
		if strings.HasSuffix(f.name, "_id") {
			return int64(1_000_000 + h%9_000_000)
		}
		return int64(h % 100)
	case "n":
		return float64(h%100_000) / 100
	case "b":
		return h%2 == 0
	case "d":
		return created.Add(time.Duration(h%90) * 24 * time.Hour).Format(time.DateOnly)
	case "t":
		return created.Add(time.Duration(h%(90*24*3600)) * time.Second).Format(clioTime)
	case "e":
		return pick(f.enum, h)
	case "ss":
		if f.enum != nil {
			return []string{pick(f.enum, h)}
		}
		return []string{pick(topics, h)}
	case "o":
		return obj{}
	}
	return clioString(f.name, h)
}

func clioString(name string, h uint64) string {
	switch {
	case strings.Contains(name, "email"):
		first, last := personName(h)
		return emailOf(first, last, h>>8)
	case strings.Contains(name, "phone"):
		return fmt.Sprintf("+1 555 %04d", h%10_000)
	case strings.Contains(name, "link") || strings.Contains(name, "qr_code"):
		return "https://app.clio.com/link/" + encode62(h, 11)
	}
	return title(pick(topics, h))
}

// clioEtag is quoted, as Clio sends it; it changes whenever the record does.
func clioEtag(h uint64) string {
	x := strconv.FormatUint(mix(h), 16)
	return `"` + strings.Repeat("0", 16-len(x)) + x + `"`
}

// clioSpecial gives a few resources values that read like the real thing.
func clioSpecial(t *table, i int, m meta) map[string]any {
	h := func(k uint64) uint64 { return t.h(i, k) }
	switch t.name {
	case "contacts":
		first, last := personName(h(hA))
		if h(hB)%4 == 0 {
			co := companyName(h(hC))
			return map[string]any{"name": co, "type": "Company",
				"primary_email_address": "info@" + strings.ToLower(strings.Fields(co)[0]) + ".example.com"}
		}
		return map[string]any{"name": first + " " + last, "first_name": first, "last_name": last, "type": "Person",
			"primary_email_address": emailOf(first, last, h(hC))}
	case "users":
		first, last := personName(h(hA))
		return map[string]any{"name": first + " " + last, "first_name": first, "last_name": last,
			"email": emailOf(first, last, h(hC))}
	case "matters":
		_, last := personName(h(hA))
		return map[string]any{"display_number": fmt.Sprintf("%05d-%s", i+1, last),
			"description": last + " - " + pick(topics, h(hB)), "status": pick([]string{"Open", "Pending", "Closed"}, h(hC))}
	case "activities":
		return clioActivity(h, m)
	case "calendar_entries":
		start := m.created.Add(time.Duration(1+h(hA)%(21*24)) * time.Hour).Truncate(time.Hour)
		_, last := personName(h(hB))
		return map[string]any{"summary": title(pick(topics, h(hC))), "description": "With " + last,
			"location": pick([]string{"Office", "Courthouse", "Video call"}, h(hD)),
			"start_at": start.Format(clioTime), "end_at": start.Add(time.Hour).Format(clioTime), "all_day": false}
	}
	return nil
}

func clioActivity(h func(uint64) uint64, m meta) map[string]any {
	typ, qty, price := "TimeEntry", float64(1+h(hA)%32)/4, float64(150+h(hB)%350)
	if h(hC)%5 == 0 {
		typ, qty, price = "ExpenseEntry", float64(1+h(hA)%3), float64(h(hB)%20000)/100
	}
	return map[string]any{"type": typ, "date": m.created.Format(time.DateOnly), "quantity": qty, "price": price,
		"total": math.Round(qty*price*100) / 100, "note": pick(topics, h(hD))}
}
