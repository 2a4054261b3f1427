package exportclient

import (
	"strings"
	"testing"
	"time"

	"github.com/pagewise/pagewise/workflows"
)

func TestRenderSaysPausedAndEstimates(t *testing.T) {
	p := workflows.Progress{Phase: workflows.PhaseExporting, Records: 2500, Total: 10000, Pages: 25, Run: 1}
	got := Render(p, 500)
	if !strings.Contains(got, " 25% exporting, 2500/10000 records") || !strings.Contains(got, "500 rec/s, ETA 15s") {
		t.Errorf("running: %q", got)
	}
	p.Paused = true
	if got := Render(p, 500); !strings.Contains(got, "pausing, ") || strings.Contains(got, "rec/s") {
		t.Errorf("pausing: %q", got)
	}
	p.Idle = true
	if got := Render(p, 0); !strings.Contains(got, " 25% paused, 2500/10000 records") || strings.Contains(got, "exporting") {
		t.Errorf("paused: %q", got)
	}
}

// TestRateMeterForgetsTheOldRate: the rate is over the last window, so a stall shows at
// once instead of decaying an average since the start.
func TestRateMeterForgetsTheOldRate(t *testing.T) {
	var m rateMeter
	at := time.Unix(0, 0)
	for i := range 30 {
		m.add(at.Add(time.Duration(i)*time.Second), int64(i)*100) // 100 records a second
	}
	var rate float64
	for i := 30; i < 60; i++ {
		rate = m.add(at.Add(time.Duration(i)*time.Second), 2900) // stalled
	}
	if rate != 0 {
		t.Fatalf("rate %v after 30 s of no records, want 0", rate)
	}
	if r := m.add(at.Add(61*time.Second), 3100); r <= 0 || r > 100 {
		t.Fatalf("rate %v once records come again", r)
	}
}
