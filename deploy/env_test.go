// Package deploy holds no code: its tests check the deployment files in this folder
// against the program, since no Docker engine or cluster is at hand to run them.
package deploy

import (
	"bytes"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kelseyhightower/envconfig"

	"github.com/pagewise/pagewise/internal/config"
)

// envNames lists the variables envconfig reads for spec, from its own struct tags.
func envNames(t *testing.T, spec any) map[string]bool {
	t.Helper()
	var buf bytes.Buffer
	if err := envconfig.Usagef("", spec, &buf, "{{range .}}{{usage_key .}}\n{{end}}"); err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for n := range strings.FieldsSeq(buf.String()) {
		names[n] = true
	}
	if len(names) < 1 {
		t.Fatalf("only %d variables found for %T", len(names), spec)
	}
	return names
}

// workerEnv is every variable the worker reads: its config struct, the Temporal
// connection's, plus what the AWS default chain reads, taken from the AWS SDK's own source
// in the module cache.
func workerEnv(t *testing.T) map[string]bool {
	t.Helper()
	names := envNames(t, &config.Worker{})
	maps.Copy(names, temporalEnv())
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/aws/aws-sdk-go-v2/config").Output()
	if err != nil {
		t.Fatalf("locating the AWS SDK config module: %v", err)
	}
	src, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "env_config.go"))
	if err != nil {
		t.Fatal(err)
	}
	aws := regexp.MustCompile(`"(AWS_[A-Z0-9_]+)"`).FindAllSubmatch(src, -1)
	for _, m := range aws {
		names[string(m[1])] = true
	}
	if !names["AWS_ACCESS_KEY_ID"] || !names["AWS_SECRET_ACCESS_KEY"] {
		t.Fatalf("AWS credential variables not found in the SDK source (%d names)", len(aws))
	}
	return names
}

// starterEnv is what the starter reads: the Temporal connection and the task queue.
func starterEnv(t *testing.T) map[string]bool {
	names := envNames(t, &config.Temporal{})
	maps.Copy(names, temporalEnv())
	return names
}

// temporalEnv is what the SDK's envconfig reads, less the renamed variables: deployment
// files use the current names.
func temporalEnv() map[string]bool {
	names := map[string]bool{}
	for _, n := range config.TemporalVariables() {
		if _, old := config.Renamed[n]; !old {
			names[n] = true
		}
	}
	return names
}

func checkNames(t *testing.T, where string, got []string, allowed map[string]bool) {
	t.Helper()
	for _, n := range got {
		if !allowed[n] {
			t.Errorf("%s sets %s, which the program never reads (typo, or a variable the README does not document?)", where, n)
		}
	}
}

// secretLike names the variables that must come from a Secret, never a ConfigMap.
func secretLike(name string) bool {
	for _, s := range []string{"TOKEN", "API_KEY", "SECRET", "PASSWORD"} {
		if strings.Contains(name, s) {
			return true
		}
	}
	return false
}

func duration(t *testing.T, what, s string) time.Duration {
	t.Helper()
	d, err := time.ParseDuration(s)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return d
}

// longestHeartbeat reads the activity heartbeat timeouts the workflow sets. Grace
// periods must outlast them; a failure here means the workflow code changed shape.
func longestHeartbeat(t *testing.T) time.Duration {
	t.Helper()
	files, _ := filepath.Glob("../workflows/*.go")
	re := regexp.MustCompile(`HeartbeatTimeout:\s*(\d+)\s*\*\s*time\.(Second|Minute|Hour)`)
	unit := map[string]time.Duration{"Second": time.Second, "Minute": time.Minute, "Hour": time.Hour}
	var longest time.Duration
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(src), -1) {
			n, _ := strconv.Atoi(m[1])
			longest = max(longest, time.Duration(n)*unit[m[2]])
		}
	}
	if longest == 0 {
		t.Fatal("no literal HeartbeatTimeout found in workflows/*.go; teach this test where it went")
	}
	return longest
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
