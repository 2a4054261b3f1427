package clio

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/pagewise/pagewise/internal/provider"
)

// Asking for every documented field means asking for some an account may not have
// (region- or plan-specific ones: legal_aid_uk_*). Clio answers a request naming an
// invalid field with a 400 (refFields); its text is not documented, so a field counts as
// refused only when the message names it: by the names it quotes when it quotes any, else
// when exactly one of the fields asked for appears in it. The connector drops it and asks again; the position carries it on
// (provider.Position.Refused) so every later page, partition, run and resume asks for the
// same fields.

var (
	quotedName = regexp.MustCompile("[\"'`]([A-Za-z0-9_]+)[\"'`]")
	bareName   = regexp.MustCompile(`[A-Za-z0-9_]+`)
)

// withoutRefused is plan asking for its fields less those refused ("a,b").
func withoutRefused(plan provider.Plan, refused string) provider.Plan {
	if refused == "" {
		return plan
	}
	gone := strings.Split(refused, ",")
	plan.Fields = slices.DeleteFunc(slices.Clone(plan.Fields), func(f string) bool { return slices.Contains(gone, fieldName(f)) })
	return plan
}

// refusedBy is the fields err, Clio's answer to a request for plan's fields, refuses, and
// whether they can be dropped: each documented for the row, and neither id nor a timestamp
// the plan's checks read.
func refusedBy(row resource, plan provider.Plan, err error) ([]string, bool) {
	var pe *provider.Error
	if !errors.As(err, &pe) || pe.Status != http.StatusBadRequest {
		return nil, false
	}
	asked := make([]string, len(plan.Fields))
	for k, f := range plan.Fields {
		asked[k] = fieldName(f)
	}
	// A message that quotes names means those: a quoted sub-field (street, of addresses)
	// never drops the value that holds it.
	named := names(bareName.FindAllStringSubmatch(pe.Message, -1), asked)
	if quoted := quotedName.FindAllStringSubmatch(pe.Message, -1); quoted != nil {
		named = names(quoted, asked)
	} else if len(named) != 1 {
		return nil, false
	}
	if len(named) == 0 {
		return nil, false
	}
	for _, f := range named {
		if f == "id" || needed(plan, f) || !row.documents(f) {
			return nil, false
		}
	}
	return named, true
}

// names are the matches' last groups that are among asked, each once.
func names(matches [][]string, asked []string) []string {
	var out []string
	for _, m := range matches {
		if n := m[len(m)-1]; slices.Contains(asked, n) && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// needed reports whether the plan's checks read field f (withBounded).
func needed(plan provider.Plan, f string) bool {
	switch f {
	case "updated_at":
		return !plan.Since.IsZero() || plan.Filters["updated_since"] != ""
	case "created_at":
		return plan.Filters["created_since"] != ""
	}
	return false
}

// documents reports whether f is one of the row's documented fields.
func (r resource) documents(f string) bool {
	return slices.ContainsFunc(r.fields, func(g string) bool { return fieldName(g) == f })
}

// fieldName is a fields entry's name: addresses for addresses{id,street} or addresses:Address_base.
func fieldName(f string) string {
	if k := strings.IndexAny(f, "{:"); k >= 0 {
		return f[:k]
	}
	return f
}

// addRefused is refused with more added, sorted.
func addRefused(refused string, more []string) string {
	all := more
	if refused != "" {
		all = append(strings.Split(refused, ","), more...)
	}
	slices.Sort(all)
	return strings.Join(slices.Compact(all), ",")
}

// withFields is the next link target asking for fields instead of what it carried.
func withFields(target string, fields []string) string {
	u, err := url.Parse(target)
	if err != nil {
		return target
	}
	q := u.Query()
	q.Set("fields", strings.Join(fields, ","))
	u.RawQuery = q.Encode()
	return u.String()
}
