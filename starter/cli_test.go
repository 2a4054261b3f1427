package main

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestMain lets the test binary run as the starter itself, so these tests see what a
// person sees: its output and exit status.
func TestMain(m *testing.M) {
	if os.Getenv("STARTER_TEST_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// starter runs the starter with args against no server: every case here must be
// answered before it dials.
func starter(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "STARTER_TEST_MAIN=1", "TEMPORAL_ADDRESS=127.0.0.1:1")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errOut.String(), code
}

func lines(s string) int { return len(strings.Split(strings.TrimSpace(s), "\n")) }

func TestHelpIsConventional(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		out, _, code := starter(t, args...)
		if code != 0 || !strings.Contains(out, "commands:") {
			t.Fatalf("%v: exit %d\n%s", args, code, out)
		}
		for _, cmd := range []string{"export", "resources", "progress", "cancel", "resume", "schedule", "version"} {
			if !strings.Contains(out, "\n  "+cmd+" ") {
				t.Errorf("%v does not list %s:\n%s", args, cmd, out)
			}
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"progress", "--help"}, "usage: starter progress EXPORT_ID"},
		{[]string{"cancel", "-h"}, "usage: starter cancel EXPORT_ID"},
		{[]string{"export", "-h"}, "-replace"},
		{[]string{"help", "resume"}, "usage: starter resume EXPORT_ID"},
		{[]string{"schedule", "-h"}, "starter schedule create"},
		{[]string{"schedule", "create", "-h"}, "-every"},
		{[]string{"schedule", "list", "--help"}, "usage: starter schedule list"},
	} {
		out, errOut, code := starter(t, c.args...)
		if code != 0 || !strings.Contains(out, c.want) || errOut != "" {
			t.Errorf("%v: exit %d, stdout says %q? stdout:\n%s\nstderr:\n%s", c.args, code, c.want, out, errOut)
		}
	}
	out, _, code := starter(t, "--version")
	if code != 0 || !strings.HasPrefix(out, "starter ") || lines(out) != 1 {
		t.Errorf("--version: exit %d: %q", code, out)
	}
}

// TestMistakesPrintOneLineAndAHint: a wrong flag or value is one line and a hint, exit 2,
// never the whole usage.
func TestMistakesPrintOneLineAndAHint(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"schedule", "create", "--provider", "close", "--resource", "lead", "--every", "1d"},
			`starter: invalid value "1d" for --every: want a duration such as 90m, 6h or 24h`},
		{[]string{"export", "--provider", "close", "--resource", "lead", "--pagesize", "50"},
			"starter: unknown flag --pagesize (did you mean --page-size?)"},
		{[]string{"export", "--provider", "close"}, "starter: --provider and --resource are required"},
		{[]string{"exprt"}, `starter: unknown command "exprt" (did you mean export?)`},
		{[]string{"progress"}, "starter: give one EXPORT_ID"},
		{[]string{"schedule", "frobnicate"}, `starter: unknown schedule command "frobnicate"`},
	} {
		out, errOut, code := starter(t, c.args...)
		if code != 2 || out != "" || lines(errOut) != 2 || !strings.HasPrefix(errOut, c.want) || !strings.Contains(errOut, "\nhint: run 'starter ") {
			t.Errorf("%v: exit %d, want 2 and %q then a hint; stderr:\n%s", c.args, code, c.want, errOut)
		}
	}
}

// TestBadInputIsRefusedBeforeStarting: input the worker would refuse never becomes a
// workflow: the starter says why, with a hint, before it dials (no server here).
func TestBadInputIsRefusedBeforeStarting(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"export", "--provider", "hubspot", "--resource", "contacts"}, `starter: invalid provider: "hubspot"`},
		{[]string{"export", "--provider", "close", "--resource", "lead", "--export-id", "acme/close-lead"}, `starter: invalid export_id "acme/close-lead"`},
		{[]string{"export", "--provider", "close", "--resource", "lead", "--export-id", "my export"}, `starter: invalid export_id "my export"`},
		{[]string{"export", "--provider", "clio", "--resource", "contacts", "--page-size", "5000"}, "starter: clio: invalid page_size"},
		{[]string{"schedule", "create", "--provider", "clio", "--resource", "nope", "--every", "1h"}, `starter: clio: invalid resource: "nope"`},
	} {
		_, errOut, code := starter(t, c.args...)
		if code != 2 || lines(errOut) != 2 || !strings.HasPrefix(errOut, c.want) || !strings.Contains(errOut, "\nhint: ") ||
			strings.Contains(errOut, "connecting to Temporal") {
			t.Errorf("%v: exit %d, want 2 and %q then a hint; stderr:\n%s", c.args, code, c.want, errOut)
		}
	}
}
