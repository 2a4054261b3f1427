package exportclient

import (
	"fmt"
	"strings"
	"time"

	"github.com/pagewise/pagewise/workflows"
)

// rateMeter is records per second over the last rateWindow, so a pause or a slow
// stretch shows at once instead of decaying an average since the start.
type rateMeter struct {
	samples []sample
}

type sample struct {
	at      time.Time
	records int64
}

const rateWindow = 20 * time.Second

// add records a sample and returns the rate over the window; 0 until it spans a second.
func (m *rateMeter) add(at time.Time, records int64) float64 {
	m.samples = append(m.samples, sample{at, records})
	for len(m.samples) > 2 && at.Sub(m.samples[1].at) >= rateWindow {
		m.samples = m.samples[1:]
	}
	first := m.samples[0]
	span := at.Sub(first.at).Seconds()
	if span < 1 || records < first.records {
		return 0
	}
	return float64(records-first.records) / span
}

// Render is one line of progress: a bar with percent and ETA when the API reports a
// total, counts otherwise. A paused export says paused (pausing while its pages in
// flight finish) and shows no rate.
func Render(p workflows.Progress, rate float64) string {
	phase := p.Phase
	switch {
	case p.Paused && p.Idle:
		phase = "paused"
	case p.Paused:
		phase = "pausing"
	}
	records := fmt.Sprintf("%d records", p.Records)
	if p.Total > 0 {
		records = fmt.Sprintf("%d/%d records", p.Records, p.Total)
	}
	parts := []string{phase, records, fmt.Sprintf("%d pages", p.Pages), humanBytes(p.Bytes)}
	if !p.Paused && rate > 0 {
		parts = append(parts, fmt.Sprintf("%.0f rec/s", rate))
		if eta, ok := ETA(p, rate); ok {
			parts = append(parts, "ETA "+eta)
		}
	}
	if p.Run > 1 {
		parts = append(parts, fmt.Sprintf("run %d", p.Run))
	}
	if p.LastError != "" {
		parts = append(parts, "retrying: "+oneLine(p.LastError))
	}
	line := strings.Join(parts, ", ")
	if p.Total <= 0 {
		return line
	}
	const width = 30
	frac := min(float64(p.Records)/float64(p.Total), 1)
	filled := int(frac * width)
	return fmt.Sprintf("[%s%s] %3.0f%% %s", strings.Repeat("#", filled), strings.Repeat(".", width-filled), frac*100, line)
}

// ETA is the time left at rate, when the API reported a total.
func ETA(p workflows.Progress, rate float64) (string, bool) {
	if p.Total <= 0 || rate <= 0 || p.Records >= int64(p.Total) {
		return "", false
	}
	left := time.Duration(float64(int64(p.Total)-p.Records) / rate * float64(time.Second))
	return left.Round(time.Second).String(), true
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
