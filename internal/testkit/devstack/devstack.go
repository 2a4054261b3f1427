// Package devstack starts the real servers that end-to-end tests, benchmarks and the demo
// run against: a Temporal dev server and an S3-compatible server (versitygw), both built
// from the Go module proxy into .tools/bin by scripts/tools.sh. Every server listens on
// 127.0.0.1 only. Callers defer Stop.
package devstack

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// RepoRoot walks up from the working directory to the folder holding go.mod.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// FindTool finds a server binary: <repo>/.tools/bin first (the versions the project
// pins), then PATH for temporal.
func FindTool(name string) (string, error) {
	if root, err := RepoRoot(); err == nil {
		p := filepath.Join(root, ".tools", "bin", name)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	if name == "temporal" {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s not found in .tools/bin: run `make tools` (scripts/tools.sh) first", name)
}

// bindAttempts bounds retryBind: FreePort's port is free when it answers, but another
// process (make test starts servers in several packages at once) may bind it before the
// server does, which then exits with "address already in use".
const bindAttempts = 3

// retryBind starts a server again, on the fresh ports start picks, while it exits because
// one of them was taken.
func retryBind[T any](start func() (T, error)) (T, error) {
	for attempt := 1; ; attempt++ {
		srv, err := start()
		if err == nil || attempt == bindAttempts || !strings.Contains(err.Error(), "address already in use") {
			return srv, err
		}
	}
}

// FreePort asks the kernel for an unused loopback port.
func FreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer func() { _ = ln.Close() }()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
