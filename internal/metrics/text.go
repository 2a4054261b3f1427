package metrics

import (
	"bufio"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// ContentType is the Prometheus text exposition format, version 0.0.4.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// ServeHTTP writes every metric, for a Prometheus scrape.
func (r *Registry) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", ContentType)
	_ = r.WriteText(w) // a failed write means the scraper went away
}

// WriteText writes every family in name order, each series in label order, so two
// scrapes of the same state are byte-identical.
func (r *Registry) WriteText(w io.Writer) error {
	r.mu.Lock()
	fams := make([]*family, 0, len(r.families))
	for _, f := range r.families {
		fams = append(fams, f)
	}
	r.mu.Unlock()
	slices.SortFunc(fams, func(a, b *family) int { return strings.Compare(a.name, b.name) })
	bw := bufio.NewWriter(w)
	for _, f := range fams {
		f.write(bw)
	}
	return bw.Flush()
}

func (f *family) write(w *bufio.Writer) {
	w.WriteString("# HELP " + f.name + " " + escapeHelp(f.help) + "\n")
	w.WriteString("# TYPE " + f.name + " " + f.kind.String() + "\n")
	f.mu.Lock()
	keys := make([]string, 0, len(f.series))
	for k := range f.series {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	all := make([]*series, len(keys))
	for i, k := range keys {
		all[i] = f.series[k]
	}
	f.mu.Unlock()
	for _, s := range all {
		s.mu.Lock()
		if f.kind != histogramKind {
			sample(w, f.name, s.labels, "", s.value)
			s.mu.Unlock()
			continue
		}
		var cum uint64
		for i, c := range s.counts {
			cum += c
			le := math.Inf(1)
			if i < len(f.buckets) {
				le = f.buckets[i]
			}
			sample(w, f.name+"_bucket", s.labels, formatFloat(le), float64(cum))
		}
		sample(w, f.name+"_sum", s.labels, "", s.sum)
		sample(w, f.name+"_count", s.labels, "", float64(s.count))
		s.mu.Unlock()
	}
}

// sample writes one line; le, when set, is appended as the histogram bucket label.
func sample(w *bufio.Writer, name string, labels []labelPair, le string, v float64) {
	w.WriteString(name)
	if len(labels) > 0 || le != "" {
		w.WriteByte('{')
		for i, l := range labels {
			if i > 0 {
				w.WriteByte(',')
			}
			w.WriteString(l.name + `="` + escapeLabel(l.value) + `"`)
		}
		if le != "" {
			if len(labels) > 0 {
				w.WriteByte(',')
			}
			w.WriteString(`le="` + le + `"`)
		}
		w.WriteByte('}')
	}
	w.WriteByte(' ')
	w.WriteString(formatFloat(v))
	w.WriteByte('\n')
}

func formatFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

var (
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
	labelEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)
)

func escapeHelp(s string) string  { return helpEscaper.Replace(s) }
func escapeLabel(s string) string { return labelEscaper.Replace(s) }

// SanitizeName turns any string into a valid metric name: [a-zA-Z_:][a-zA-Z0-9_:]*.
func SanitizeName(s string) string { return sanitize(s, true) }

// SanitizeLabel turns any string into a valid label name: [a-zA-Z_][a-zA-Z0-9_]*, and
// never the reserved "__" prefix.
func SanitizeLabel(s string) string {
	s = sanitize(s, false)
	for strings.HasPrefix(s, "__") {
		s = s[1:]
	}
	return s
}

func sanitize(s string, colon bool) string {
	if s == "" {
		return "_"
	}
	b := []byte(s)
	for i, c := range b {
		ok := c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || colon && c == ':'
		if !ok {
			b[i] = '_'
		}
	}
	if b[0] >= '0' && b[0] <= '9' {
		return "_" + string(b)
	}
	return string(b)
}

func validName(s string) bool  { return s != "" && SanitizeName(s) == s }
func validLabel(s string) bool { return s != "" && s != "le" && SanitizeLabel(s) == s }
