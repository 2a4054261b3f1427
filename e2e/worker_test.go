package e2e

import (
	"bytes"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"
)

// workerProc is a real worker process that a test can kill and restart.
type workerProc struct {
	t    *testing.T
	env  []string
	mu   sync.Mutex
	cmd  *exec.Cmd
	log  *syncBuffer
	logs []string // output of every process that has ended
}

func startWorker(t *testing.T, env []string) *workerProc {
	t.Helper()
	w := &workerProc{t: t, env: env}
	w.start()
	t.Cleanup(w.stop)
	return w
}

func (w *workerProc) start() {
	w.mu.Lock()
	defer w.mu.Unlock()
	cmd := exec.Command(stack.workerBin)
	cmd.Env = w.env
	w.log = &syncBuffer{}
	cmd.Stdout, cmd.Stderr = w.log, w.log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		w.t.Fatal(err)
	}
	w.cmd = cmd
}

// kill is a crash: SIGKILL, no chance to finish anything, then a fresh process.
func (w *workerProc) killAndRestart() {
	w.mu.Lock()
	_ = w.cmd.Process.Kill()
	_ = w.cmd.Wait()
	w.logs = append(w.logs, w.log.String())
	w.mu.Unlock()
	w.start()
}

// stop is a graceful SIGTERM, as a deployment would send.
func (w *workerProc) stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.cmd == nil {
		return
	}
	_ = w.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = w.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(40 * time.Second):
		_ = w.cmd.Process.Kill()
		<-done
	}
	w.logs = append(w.logs, w.log.String())
	w.cmd = nil
}

// output is everything every process of this worker has logged so far.
// pid is the running worker process's id.
func (w *workerProc) pid() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.cmd.Process.Pid
}

func (w *workerProc) output() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var b bytes.Buffer
	for _, l := range w.logs {
		b.WriteString(l)
	}
	if w.cmd != nil {
		b.WriteString(w.log.String())
	}
	return b.String()
}

// syncBuffer is written by the process's output copier while tests read it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
