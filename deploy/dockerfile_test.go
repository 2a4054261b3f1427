package deploy

import (
	"debug/elf"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
)

type instruction struct{ cmd, args string }

// parseDockerfile joins continuation lines and drops comments, as Docker does.
func parseDockerfile(t *testing.T, name string) [][]instruction {
	t.Helper()
	raw, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var stages [][]instruction
	var cur strings.Builder
	for line := range strings.Lines(string(raw)) {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "#") || line == "" && cur.Len() > 0 {
			continue
		}
		if rest, ok := strings.CutSuffix(line, `\`); ok {
			cur.WriteString(rest + " ")
			continue
		}
		cur.WriteString(line)
		full := strings.TrimSpace(cur.String())
		cur.Reset()
		if full == "" {
			continue
		}
		cmd, args, _ := strings.Cut(full, " ")
		in := instruction{strings.ToUpper(cmd), strings.TrimSpace(args)}
		if in.cmd == "FROM" {
			stages = append(stages, nil)
		}
		if len(stages) == 0 {
			t.Fatalf("%s: %s before FROM", name, in.cmd)
		}
		stages[len(stages)-1] = append(stages[len(stages)-1], in)
	}
	return stages
}

func TestDockerfileShape(t *testing.T) {
	stages := parseDockerfile(t, "Dockerfile")
	if len(stages) < 2 {
		t.Fatalf("want a multi-stage build, got %d stage(s)", len(stages))
	}
	// The builder's Go matches go.mod's go line (1.26.0 -> golang:1.26).
	mod, _ := os.ReadFile("../go.mod")
	goLine := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(mod)
	if goLine == nil || !strings.Contains(stages[0][0].args, "golang:"+string(goLine[1])) {
		t.Errorf("build stage %q does not use go.mod's Go %s", stages[0][0].args, goLine[1])
	}
	final := stages[len(stages)-1]
	if from := final[0].args; !strings.Contains(from, "distroless/static") && from != "scratch" {
		t.Errorf("final stage FROM %s: want distroless/static or scratch (static binaries need nothing else)", from)
	}
	user := ""
	for _, in := range final {
		if in.cmd == "USER" {
			user = in.args
		}
	}
	if uid, _, _ := strings.Cut(user, ":"); uid == "" || uid == "0" || uid == "root" {
		t.Errorf("final stage runs as %q: want a non-root USER", user)
	}
}

// TestDockerfileBuilds runs the Dockerfile's go build commands outside Docker, on a copy
// of the build context with Dockerfile.dockerignore applied, and checks the binaries
// are static: no ELF interpreter, no shared libraries.
func TestDockerfileBuilds(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles the worker and starter")
	}
	stages := parseDockerfile(t, "Dockerfile")
	src := copyContext(t, "..", "Dockerfile.dockerignore")
	out := t.TempDir()
	var built int
	var copiedAll bool
	for _, in := range stages[0] {
		copiedAll = copiedAll || in.cmd == "COPY" && in.args == ". ."
		if in.cmd != "RUN" || !strings.Contains(in.args, "go build") {
			continue
		}
		if !copiedAll {
			t.Fatal("go build runs before COPY . . — this test builds the whole context")
		}
		env, args, bins := buildCommand(t, in.args, out)
		cmd := exec.Command("go", args...)
		cmd.Dir = src
		cmd.Env = append(os.Environ(), env...)
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, msg)
		}
		for _, b := range bins {
			assertStatic(t, filepath.Join(out, b))
			built++
		}
	}
	if built < 2 {
		t.Fatalf("the Dockerfile builds %d binaries; want the worker and the starter", built)
	}
}

// buildCommand turns a RUN line into go's arguments: mount flags dropped, leading
// VAR=value words as the environment, -o redirected into out, and the binary names.
func buildCommand(t *testing.T, run, out string) (env, args, bins []string) {
	t.Helper()
	words := shellWords(t, run)
	for len(words) > 0 && strings.HasPrefix(words[0], "--") {
		words = words[1:]
	}
	build := map[string]string{"TARGETOS": "linux", "TARGETARCH": runtime.GOARCH}
	for len(words) > 0 && strings.Contains(words[0], "=") {
		env = append(env, os.Expand(words[0], func(k string) string { return build[k] }))
		words = words[1:]
	}
	if len(words) < 2 || words[0] != "go" || words[1] != "build" || strings.Contains(run, "&&") {
		t.Fatalf("RUN %q: want one plain `go build` command", run)
	}
	if !slices.Contains(env, "CGO_ENABLED=0") {
		t.Fatalf("RUN %q does not set CGO_ENABLED=0", run)
	}
	args = words[1:]
	for i := 0; i < len(args); i++ {
		switch {
		case args[i] == "-o" && i+1 < len(args):
			if !strings.HasSuffix(args[i+1], "/") {
				t.Fatalf("-o %s: want a directory (ending in /) for several binaries", args[i+1])
			}
			args[i+1] = out + "/"
			i++
		case strings.HasPrefix(args[i], "./"):
			bins = append(bins, path.Base(args[i]))
		}
	}
	return env, args, bins
}

// shellWords splits like sh for what a Dockerfile RUN line uses: spaces and quotes.
func shellWords(t *testing.T, s string) []string {
	t.Helper()
	var words []string
	var cur strings.Builder
	var quote rune
	inWord := false
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '"' || r == '\'':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		t.Fatalf("unbalanced quote in %q", s)
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

// copyContext copies root into a temporary folder minus what the dockerignore file
// excludes (plain patterns and **/ prefixes; negations are not supported).
func copyContext(t *testing.T, root, ignoreFile string) string {
	t.Helper()
	raw, err := os.ReadFile(ignoreFile)
	if err != nil {
		t.Fatal(err)
	}
	var patterns []string
	for line := range strings.Lines(string(raw)) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "!") {
			t.Fatalf("%s: negated pattern %q is not understood by this test", ignoreFile, line)
		}
		patterns = append(patterns, strings.TrimPrefix(line, "/"))
	}
	dst := t.TempDir()
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if rel == "." {
			return nil
		}
		if ignored(patterns, rel) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func ignored(patterns []string, rel string) bool {
	parts := strings.Split(rel, "/")
	for _, pat := range patterns {
		if base, ok := strings.CutPrefix(pat, "**/"); ok {
			for i := range parts {
				if m, _ := path.Match(base, strings.Join(parts[i:], "/")); m {
					return true
				}
			}
			continue
		}
		if m, _ := path.Match(pat, rel); m {
			return true
		}
	}
	return false
}

func assertStatic(t *testing.T, bin string) {
	t.Helper()
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatalf("%s: %v", bin, err)
	}
	defer func() { _ = f.Close() }()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("%s asks for a dynamic loader: not static", filepath.Base(bin))
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("%s links %v: not static", filepath.Base(bin), libs)
	}
}

// pinned is an image reference with the digest of its content.
var pinned = regexp.MustCompile(`@sha256:[0-9a-f]{64}$`)

// TestDockerfilePinsEveryImage: every image the build pulls is pinned by digest, not by a
// tag that can move: each FROM that is not an earlier stage, and a "# syntax=" frontend
// if there is one.
func TestDockerfilePinsEveryImage(t *testing.T) {
	raw, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	if first, _, _ := strings.Cut(string(raw), "\n"); strings.HasPrefix(strings.ReplaceAll(first, " ", ""), "#syntax=") {
		if ref := strings.TrimSpace(first[strings.Index(first, "=")+1:]); !pinned.MatchString(ref) {
			t.Errorf("the syntax frontend %s is not pinned by digest", ref)
		}
	}
	stages := parseDockerfile(t, "Dockerfile")
	var names []string
	for _, st := range stages {
		var image, name string
		for _, w := range strings.Fields(st[0].args) {
			switch {
			case strings.HasPrefix(w, "--"):
			case image == "":
				image = w
			case strings.EqualFold(w, "AS"):
			default:
				name = w
			}
		}
		if !slices.Contains(names, image) && !pinned.MatchString(image) {
			t.Errorf("FROM %s is not pinned by digest (image@sha256:<64 hex>)", image)
		}
		names = append(names, name)
	}
}
