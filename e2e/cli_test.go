package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pagewise/pagewise/internal/testkit/devstack"
	"github.com/pagewise/pagewise/internal/testkit/sandbox"
	"github.com/pagewise/pagewise/workflows"
)

// readmeBlocks is every shell block of README.md whose first line is
// "# readme-test: <name>", as the commands in it: continuation lines joined, comment
// lines dropped.
func readmeBlocks(t *testing.T) map[string][]string {
	t.Helper()
	root, err := devstack.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	body, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := map[string][]string{}
	lines := strings.Split(string(body), "\n")
	for i := 0; i < len(lines); i++ {
		if !strings.HasPrefix(lines[i], "```") {
			continue
		}
		end := i + 1
		for end < len(lines) && !strings.HasPrefix(lines[end], "```") {
			end++
		}
		if i+1 < end {
			if name, ok := strings.CutPrefix(lines[i+1], "# readme-test: "); ok {
				name = strings.TrimSpace(name)
				if _, dup := blocks[name]; dup {
					t.Fatalf("README has two blocks named %q", name)
				}
				blocks[name] = shellCommands(lines[i+2 : end])
			}
		}
		i = end
	}
	return blocks
}

func shellCommands(lines []string) []string {
	var cmds []string
	var cur strings.Builder
	for _, l := range lines {
		trimmed := strings.TrimSpace(l)
		if cur.Len() == 0 && (trimmed == "" || strings.HasPrefix(trimmed, "#")) {
			continue
		}
		if more, ok := strings.CutSuffix(l, `\`); ok {
			cur.WriteString(more)
			continue
		}
		cur.WriteString(l)
		cmds = append(cmds, strings.TrimSpace(cur.String()))
		cur.Reset()
	}
	return cmds
}

// shell runs README commands as a user would, with the real temporal CLI first on PATH
// and the starter built once in place of `go run ./starter`. Both find the shared dev
// server through TEMPORAL_ADDRESS and use the default task queue, exports.
type shell struct {
	t       *testing.T
	env     []string
	starter string
	root    string
}

func newShell(t *testing.T) *shell {
	t.Helper()
	temporalBin, err := devstack.FindTool("temporal")
	if err != nil {
		t.Fatal(err)
	}
	root, err := devstack.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return &shell{t: t, root: root, starter: starterBin(t), env: []string{
		"PATH=" + filepath.Dir(temporalBin) + string(os.PathListSeparator) + os.Getenv("PATH"),
		"HOME=" + t.TempDir(), // no one's CLI profile
		"TEMPORAL_ADDRESS=" + stack.temporal.Addr,
		"NO_COLOR=1",
	}}
}

// run runs one command and fails the test if it fails; it returns stdout and stderr.
func (s *shell) run(cmd string) (string, string) {
	s.t.Helper()
	line := cmd
	if rest, ok := strings.CutPrefix(cmd, "go run ./starter "); ok {
		line = s.starter + " " + rest
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	x := exec.CommandContext(ctx, "bash", "-c", line)
	x.Dir, x.Env = s.root, s.env
	var out, errOut bytes.Buffer
	x.Stdout, x.Stderr = &out, &errOut
	if err := x.Run(); err != nil {
		s.t.Fatalf("%s: %v\nstdout:\n%s\nstderr:\n%s", cmd, err, out.String(), errOut.String())
	}
	s.t.Logf("$ %s\n%s", cmd, strings.TrimSpace(out.String()))
	return out.String(), errOut.String()
}

// runFailing runs a command that must fail, and returns its output and exit status.
func (s *shell) runFailing(cmd string) (string, string, int) {
	s.t.Helper()
	line := cmd
	if rest, ok := strings.CutPrefix(cmd, "go run ./starter "); ok {
		line = s.starter + " " + rest
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	x := exec.CommandContext(ctx, "bash", "-c", line)
	x.Dir, x.Env = s.root, s.env
	var out, errOut bytes.Buffer
	x.Stdout, x.Stderr = &out, &errOut
	err := x.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		s.t.Fatalf("%s: want a failure, got %v\nstdout:\n%s\nstderr:\n%s", cmd, err, out.String(), errOut.String())
	}
	s.t.Logf("$ %s (exit %d)\n%s", cmd, exit.ExitCode(), strings.TrimSpace(errOut.String()))
	return out.String(), errOut.String(), exit.ExitCode()
}

var starterBuild struct {
	once sync.Once
	path string
	err  error
}

// starterBin builds the starter once for the package.
func starterBin(t *testing.T) string {
	t.Helper()
	starterBuild.once.Do(func() {
		root, err := devstack.RepoRoot()
		if err != nil {
			starterBuild.err = err
			return
		}
		starterBuild.path = filepath.Join(stack.dir, "starter")
		cmd := exec.Command("go", "build", "-o", starterBuild.path, "./starter")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			starterBuild.err = fmt.Errorf("building starter: %v\n%s", err, out)
		}
	})
	if starterBuild.err != nil {
		t.Fatal(starterBuild.err)
	}
	return starterBuild.path
}

// exportResultOf waits for a workflow (across continue-as-new) and returns its result.
func exportResultOf(t *testing.T, workflowID string) (workflows.ExportResult, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var res workflows.ExportResult
	err := stack.client.GetWorkflow(ctx, workflowID, "").Get(ctx, &res)
	return res, err
}

// assertIDsExactly demands the records be exactly the ids in want, each once.
func assertIDsExactly(t *testing.T, sb *sandbox.Server, prov string, got []json.RawMessage, want []string) {
	t.Helper()
	wanted := map[string]bool{}
	for _, id := range want {
		wanted[id] = true
	}
	seen := map[string]int{}
	var extra, dups, missing []string
	for _, r := range got {
		id := sb.IDOf(prov, r)
		if seen[id]++; seen[id] == 2 {
			dups = append(dups, id)
		}
		if !wanted[id] {
			extra = append(extra, id)
		}
	}
	for id := range wanted {
		if seen[id] == 0 {
			missing = append(missing, id)
		}
	}
	if len(extra)+len(dups)+len(missing) > 0 {
		t.Fatalf("%s: stored %d records, want exactly %d: %d missing %v, %d duplicated %v, %d not wanted %v",
			prov, len(got), len(wanted), len(missing), head(missing), len(dups), head(dups), len(extra), head(extra))
	}
}
