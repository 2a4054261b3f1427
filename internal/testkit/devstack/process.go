package devstack

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// process is one server child in its own process group, so a kill reaches all of it.
type process struct {
	name string
	bin  string
	args []string
	log  io.Writer

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
	tail *tailBuffer
}

func (p *process) start() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	cmd := exec.Command(p.bin, p.args...)
	p.tail = &tailBuffer{max: 8 << 10}
	out := io.Writer(p.tail)
	if p.log != nil {
		out = io.MultiWriter(p.tail, p.log)
	}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", p.name, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	p.cmd, p.done = cmd, done
	return nil
}

// exited reports whether the process has ended.
func (p *process) exited() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// signal sends sig to the whole group and waits up to grace for the exit.
func (p *process) signal(sig syscall.Signal, grace time.Duration) bool {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	p.mu.Unlock()
	if cmd == nil {
		return true
	}
	_ = syscall.Kill(-cmd.Process.Pid, sig)
	select {
	case <-done:
		return true
	case <-time.After(grace):
		return false
	}
}

// stop is SIGTERM, then SIGKILL after 10 s.
func (p *process) stop() error {
	if !p.signal(syscall.SIGTERM, 10*time.Second) && !p.signal(syscall.SIGKILL, 10*time.Second) {
		return fmt.Errorf("%s did not exit", p.name)
	}
	return nil
}

// kill is a crash: SIGKILL and nothing else.
func (p *process) kill() error {
	if !p.signal(syscall.SIGKILL, 10*time.Second) {
		return fmt.Errorf("%s did not exit after SIGKILL", p.name)
	}
	return nil
}

// waitReady polls ready until it succeeds, the process dies, or the deadline passes;
// errors carry the end of the server's log.
func (p *process) waitReady(ctx context.Context, timeout time.Duration, ready func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	var last error
	for {
		attempt, cancelAttempt := context.WithTimeout(ctx, 2*time.Second)
		last = ready(attempt)
		cancelAttempt()
		if last == nil {
			return nil
		}
		if p.exited() {
			return fmt.Errorf("%s exited before it was ready: %v\n%s", p.name, last, p.tail.String())
		}
		select {
		case <-ctx.Done():
			_ = p.stop()
			return fmt.Errorf("%s not ready after %v: %v\n%s", p.name, timeout, last, p.tail.String())
		case <-tick.C:
		}
	}
}

// tailBuffer keeps the last max bytes a server printed, for error messages.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf bytes.Buffer
}

func (t *tailBuffer) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf.Write(b)
	if over := t.buf.Len() - t.max; over > 0 {
		t.buf.Next(over)
	}
	return len(b), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.TrimSpace(t.buf.String())
}
