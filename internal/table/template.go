package table

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// DefaultTemplate is where table files go when the export names no path.
const DefaultTemplate = "part-{part}.parquet"

// Template places table files inside an export's table folder. Its variables:
// {provider}, {resource}, {export_id}, {yyyy}, {mm}, {dd} and {hh} (the export's start,
// UTC) and {part}, the file's number (00000, 00001, …), which it must hold once. A
// template is '/'-separated segments of letters, digits, '.', '_', '=', '-' and variables,
// each starting with a letter, digit or variable, and ends in .parquet: a key it makes
// can never leave the folder.
type Template struct{ text string }

// Vars are the values a template's variables take; each is itself a safe segment.
type Vars struct {
	Provider, Resource, ExportID string
	Start                        time.Time
}

var (
	variable    = regexp.MustCompile(`\{[^{}]*\}`)
	variables   = []string{"{provider}", "{resource}", "{export_id}", "{yyyy}", "{mm}", "{dd}", "{hh}", "{part}"}
	safeSegment = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._=-]*$`)
)

// maxTemplate keeps a rendered key well inside S3's 1,024 bytes with any folder.
const maxTemplate = 200

// ParseTemplate checks a path template; the error names what is wrong.
func ParseTemplate(s string) (Template, error) {
	bad := func(why string) (Template, error) {
		return Template{}, fmt.Errorf("invalid table_path %q: %s", clip(s), why)
	}
	switch {
	case len(s) > maxTemplate:
		return bad(fmt.Sprintf("at most %d bytes", maxTemplate))
	case strings.Count(s, "{part}") != 1:
		return bad("it must hold {part} once, so every file has its own key")
	case !strings.HasSuffix(s, ".parquet"):
		return bad("it must end in .parquet")
	case strings.Count(s, "/") > 7:
		return bad("at most 8 segments")
	}
	for _, v := range variable.FindAllString(s, -1) {
		if !slices.Contains(variables, v) {
			return bad(fmt.Sprintf("unknown variable %s; use %s", v, strings.Join(variables, ", ")))
		}
	}
	// Every variable's value is a safe segment's worth of letters and digits.
	sample := variable.ReplaceAllString(s, "a0")
	for seg := range strings.SplitSeq(sample, "/") {
		if !safeSegment.MatchString(seg) || seg == "." || seg == ".." {
			return bad("each '/'-separated segment is letters, digits, '.', '_', '=', '-' and variables, starting with a letter, digit or variable")
		}
	}
	return Template{text: s}, nil
}

// Render is file part's path for an export.
func (t Template) Render(v Vars, part int) string {
	text := t.text
	if text == "" {
		text = DefaultTemplate
	}
	start := v.Start.UTC()
	return strings.NewReplacer(
		"{provider}", v.Provider, "{resource}", v.Resource, "{export_id}", v.ExportID,
		"{yyyy}", fmt.Sprintf("%04d", start.Year()), "{mm}", fmt.Sprintf("%02d", int(start.Month())),
		"{dd}", fmt.Sprintf("%02d", start.Day()), "{hh}", fmt.Sprintf("%02d", start.Hour()),
		"{part}", fmt.Sprintf("%05d", part),
	).Replace(text)
}
