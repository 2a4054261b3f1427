package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/pagewise/pagewise/workflows"
)

// workerProc is one worker process, started for one row.
type workerProc struct {
	cmd     *exec.Cmd
	logPath string
	done    chan struct{} // closed when the process has exited
}

// usage is what the kernel counted for the worker process over its whole life.
type usage struct {
	cpu   time.Duration // user + system
	rssKB int64         // peak resident set
}

// startWorker runs the worker binary with env, its output in logPath. It stays in the
// bench's process group, so a Ctrl-C in the terminal reaches it too.
func startWorker(bin string, env []string, logPath string) (*workerProc, error) {
	log, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		_ = log.Close()
		return nil, fmt.Errorf("starting worker: %w", err)
	}
	w := &workerProc{cmd: cmd, logPath: logPath, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		_ = log.Close()
		close(w.done)
	}()
	return w, nil
}

func (w *workerProc) exited() bool {
	select {
	case <-w.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM, as a deployment would, and reads the process's resource usage once
// it has exited. A worker that had already exited is an error: it crashed.
func (w *workerProc) stop() (usage, error) {
	if w.exited() {
		return usage{}, fmt.Errorf("worker exited early (%v)%s", w.cmd.ProcessState, w.tail())
	}
	_ = w.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-w.done:
	case <-time.After(60 * time.Second):
		_ = w.cmd.Process.Kill()
		<-w.done
		return usage{}, errors.New("worker ignored SIGTERM for 60 s" + w.tail())
	}
	ru, ok := w.cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return usage{}, errors.New("no resource usage for the worker on this system")
	}
	u := usage{
		cpu:   time.Duration(ru.Utime.Nano() + ru.Stime.Nano()),
		rssKB: int64(ru.Maxrss),
	}
	if runtime.GOOS == "darwin" { // bytes there, KiB on Linux
		u.rssKB /= 1024
	}
	if !w.cmd.ProcessState.Success() {
		return u, fmt.Errorf("worker stopped with %v%s", w.cmd.ProcessState, w.tail())
	}
	return u, nil
}

// kill is for error paths: no usage is wanted, only no process left behind.
func (w *workerProc) kill() {
	if !w.exited() {
		_ = w.cmd.Process.Kill()
		<-w.done
	}
}

// tail is the end of the worker's log, for error messages.
func (w *workerProc) tail() string {
	b, err := os.ReadFile(w.logPath)
	if err != nil || len(b) == 0 {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	lines = lines[max(len(lines)-20, 0):]
	return "\n" + strings.Join(lines, "\n")
}

// waitReady waits until the worker polls both the export queue and the provider's page
// queue, so a row's clock does not include the process starting and dialling Temporal.
func (e *env) waitReady(ctx context.Context, w *workerProc, taskQueue, provider string) error {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	queues := []struct {
		name string
		typ  enumspb.TaskQueueType
	}{
		{taskQueue, enumspb.TASK_QUEUE_TYPE_WORKFLOW},
		{workflows.PageQueue(taskQueue, provider, ""), enumspb.TASK_QUEUE_TYPE_ACTIVITY},
	}
	for _, q := range queues {
		for {
			if w.exited() {
				return fmt.Errorf("worker exited while starting (%v)%s", w.cmd.ProcessState, w.tail())
			}
			resp, err := e.client.DescribeTaskQueue(ctx, q.name, q.typ)
			if err == nil && len(resp.GetPollers()) > 0 {
				break
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("worker not polling %s after 60 s%s", q.name, w.tail())
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	return nil
}
