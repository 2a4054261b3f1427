package e2e

import (
	"context"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/pagewise/pagewise/internal/testkit/sandbox"
	"github.com/pagewise/pagewise/workflows"
)

// screen is what a terminal shows of the starter: its output, and the line the cursor is
// on (the bar redraws it with "\r\033[K").
type screen struct{ buf syncBuffer }

// line is the last line drawn.
func (s *screen) line() string {
	out := strings.TrimRight(s.buf.String(), "\r\n")
	if i := strings.LastIndexAny(out, "\r\n"); i >= 0 {
		out = out[i+1:]
	}
	return strings.TrimPrefix(out, "\033[K")
}

func (s *screen) waitLine(t *testing.T, timeout time.Duration, what string, ok func(string) bool) {
	t.Helper()
	var last string
	eventually(t, timeout, what+" on the screen", func() bool {
		last = s.line()
		return ok(last)
	})
	t.Logf("screen: %s", last)
}

// TestStarterWaitOnATerminal runs `starter export --wait` in a pseudo-terminal, as a
// person meets it, against a Temporal server of its own: no worker at first, then a
// worker, a pause, the server killed and started again, a resume and the end. At each
// step it asserts what the screen says.
func TestStarterWaitOnATerminal(t *testing.T) {
	const total, queue, id = 10_000, "e2e-terminal", "terminal-wait"
	srv, c := dedicatedTemporal(t)
	// Latency keeps the export running long enough to pause it in the middle.
	sb, url := serveSandbox(t, sandbox.Options{Records: total, Seed: 30, Latency: 150 * time.Millisecond})
	cmd := exec.Command(starterBin(t), "export", "--provider", "clio", "--resource", "contacts", "--export-id", id,
		"--page-size", "100", "--wait")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "TERM=xterm", "TEMPORAL_CONFIG_FILE=" + os.DevNull,
		"TEMPORAL_ADDRESS=" + srv.Addr, "PAGEWISE_TASK_QUEUE=" + queue}
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 200})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tty.Close() }()
	var scr screen
	go func() { _, _ = io.Copy(&scr.buf, tty) }()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
		}
	})

	// No worker polls the queue: the starter says so within seconds instead of nothing.
	scr.waitLine(t, time.Minute, "the missing worker", func(l string) bool {
		return strings.Contains(l, "no worker is polling task queue "+queue)
	})
	if !strings.HasPrefix(scr.buf.String(), id+"\r\n") {
		t.Fatalf("the starter did not print the workflow id first:\n%q", scr.buf.String())
	}

	w := startWorker(t, workerEnv(queue, url, "TEMPORAL_ADDRESS="+srv.Addr))
	bar := regexp.MustCompile(`^\[[#.]{30}\] +\d+% exporting, (\d+)/10000 records`)
	scr.waitLine(t, 2*time.Minute, "the bar moving", func(l string) bool {
		m := bar.FindStringSubmatch(l)
		return m != nil && m[1] != "0"
	})

	// Paused: the bar says so (and shows no rate), not "exporting".
	ctx := context.Background()
	if err := c.SignalWorkflow(ctx, id, "", workflows.SignalPause, nil); err != nil {
		t.Fatal(err)
	}
	scr.waitLine(t, time.Minute, "the pause", func(l string) bool {
		return strings.Contains(l, "% paused, ") && !strings.Contains(l, "rec/s")
	})

	// The server goes away: the starter says it is reconnecting and does not exit.
	if err := srv.Kill(); err != nil {
		t.Fatal(err)
	}
	scr.waitLine(t, time.Minute, "the lost server", func(l string) bool {
		return strings.HasPrefix(l, "Temporal unreachable, reconnecting")
	})
	rctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if err := srv.Restart(rctx); err != nil {
		t.Fatal(err)
	}
	scr.waitLine(t, 2*time.Minute, "the export again after the restart", func(l string) bool {
		return strings.Contains(l, "% paused, ")
	})
	select {
	case err := <-exited:
		t.Fatalf("the starter exited across the restart: %v\n%q", err, scr.buf.String())
	default:
	}

	if err := c.SignalWorkflow(ctx, id, "", workflows.SignalResume, nil); err != nil {
		t.Fatal(err)
	}
	var waitErr error
	eventually(t, 3*time.Minute, "the starter to exit", func() bool {
		select {
		case waitErr = <-exited:
			return true
		default:
			return false
		}
	})
	out := scr.buf.String()
	if waitErr != nil || !strings.Contains(out, "done: 10000 records") || !strings.Contains(out, "manifest: s3://") {
		t.Fatalf("starter ended with %v; screen:\n%q\nworker:\n%s", waitErr, out, tail(w.output(), 20))
	}
	res, err := waitResult(t, c, id, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	_, recs := readBack(t, res.ManifestKey)
	assertExactly(t, sb, "clio", "contacts", recs)
}
