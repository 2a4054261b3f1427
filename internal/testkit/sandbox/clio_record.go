package sandbox

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// clioRecord renders one record's fields: each field draws from its own hash stream, so
// every value is fixed by (Seed, table, index) and the record's timestamps, whichever
// other fields a request names.
type clioRecord struct {
	t       *table
	i       int
	m       meta
	special map[string]any
}

// render is the record with the fields sels name, in the schema's order.
func (r clioRecord) render(schema []clioField, sels []clioSel) obj {
	o := make(obj, 0, len(sels))
	for _, f := range schema {
		k := slices.IndexFunc(sels, func(s clioSel) bool { return s.name == f.name })
		if k >= 0 {
			o = append(o, kv{f.name, r.value(f, sels[k].sub)})
		}
	}
	return o
}

func (r clioRecord) value(f clioField, sub []string) any {
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
	if f.nested() {
		return r.nestedValue(f, sub, h)
	}
	return clioScalar(f, h, r.m.created)
}

// nestedValue is a nested resource with the fields sub names: one object (absent one time
// in four) or a list of up to two.
func (r clioRecord) nestedValue(f clioField, sub []string, h uint64) any {
	if !f.list() {
		if h%4 == 0 {
			return nil // no such association
		}
		return r.nested(f, sub, h)
	}
	list := make([]obj, h%3)
	for k := range list {
		list[k] = r.nested(f, sub, mix(h+uint64(k)))
	}
	return list
}

// nested is one nested resource: ids of its own, the record's timestamps. A field's value
// depends only on h and its name.
func (r clioRecord) nested(f clioField, sub []string, h uint64) obj {
	o := make(obj, 0, len(sub))
	for _, g := range f.sub {
		if !slices.Contains(sub, g.name) {
			continue
		}
		fh := mix(h ^ g.hash)
		var v any
		switch {
		case g.name == "id" && g.kind == "s" && f.schema == "CustomFieldValue":
			v = fmt.Sprintf("text_line-%d", 1_000_000+fh%9_000_000)
		case g.name == "id" && g.kind == "s":
			v = strconv.FormatUint(1_000_000+fh%9_000_000, 10)
		case g.name == "id":
			v = int64(1_000_000 + fh%9_000_000)
		case g.name == "etag":
			v = clioEtag(fh)
		case g.name == "created_at":
			v = r.m.created.Format(clioTime)
		case g.name == "updated_at":
			v = r.m.updated.Format(clioTime)
		case g.nested():
			v = r.nestedValue(g, g.defaults, fh)
		default:
			v = clioScalar(g, fh, r.m.created)
		}
		o = append(o, kv{g.name, v})
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
	case "is":
		return []int64{int64(1_000_000 + h%9_000_000)}
	case "o":
		return obj{}
	case "os":
		return []obj{}
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
	case "bank_accounts":
		// The accounts show_empty_accounts hides are the empty ones.
		if clioActionOf(t.name).hides.hidden(t, i) {
			return map[string]any{"balance": 0.0}
		}
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
