package current

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pagewise/pagewise/internal/storage"
	"github.com/pagewise/pagewise/internal/testkit/devstack"
)

const bucket = "current"

// versitygw is a real S3-compatible server for this package's tests; skipped with -short
// or before `make tools` has built it.
func versitygw(t *testing.T) (*storage.S3, *devstack.S3) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts versitygw")
	}
	bin, err := devstack.FindTool("versitygw")
	if err != nil {
		t.Skip(err)
	}
	ctx := context.Background()
	srv, err := devstack.StartS3(ctx, devstack.S3Options{Bin: bin, Dir: filepath.Join(t.TempDir(), "s3")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	if err := srv.CreateBucket(ctx, bucket); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", srv.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", srv.SecretKey)
	return s3Store(t, srv.Endpoint), srv
}

func s3Store(t testing.TB, endpoint string) *storage.S3 {
	t.Helper()
	store, err := storage.NewS3(context.Background(), storage.Config{Endpoint: endpoint, Region: "us-east-1", Bucket: bucket, PathStyle: true})
	if err != nil {
		t.Fatal(err)
	}
	return store
}

// TestPublishingOnARealServer runs the publishing tests against versitygw's conditional
// writes: an older run refused, runs overtaking each other kept in order, a crash
// before the publish changing nothing.
func TestPublishingOnARealServer(t *testing.T) {
	store, _ := versitygw(t)
	for name, test := range map[string]func(*testing.T, storage.Store){
		"refused":   testAnOlderRunIsRefused,
		"order":     testPublishingRunsKeepTheirOrder,
		"crash":     testACrashBeforePublishChangesNothing,
		"retention": testRetention,
	} {
		t.Run(name, func(t *testing.T) {
			if err := emptyBucket(context.Background(), store); err != nil {
				t.Fatal(err)
			}
			test(t, store)
		})
	}
}

// emptyBucket empties the bucket between subtests.
func emptyBucket(ctx context.Context, store storage.Store) error {
	all, err := store.List(ctx, "")
	if err != nil || len(all) == 0 {
		return err
	}
	ks := make([]string, len(all))
	for i, o := range all {
		ks[i] = o.Key
	}
	return store.Delete(ctx, ks)
}

// TestTheFirstPublishRacesOnARealServer: of merges creating a table at once, one
// publishes first (If-None-Match), and every other merges again on what it published
// or is refused as older: the table ends with every newer run's rows.
func TestTheFirstPublishRacesOnARealServer(t *testing.T) {
	store, _ := versitygw(t)
	first := true
	hooked := &hookStore{Store: store, beforePutIf: func(key string) error {
		if key == pointerKey(root) && first {
			first = false
			merge(t, store, run(10), Options{}, upv("a", 1)) // creates the pointer under the later run
		}
		return nil
	}}
	res, err := newMerge(t, hooked, run(20), Options{}, upv("b", 1)).Publish(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := keys(byID(t, store)); len(got) != 2 || res.Current.Generation != 3 {
		t.Fatalf("ids %v in generation %d; want a and b in 3, after run e10's 2", got, res.Current.Generation)
	}
}

// The crashing merge's settings and changes: the child process and the test agree on them.
var crashOptions = Options{Format: "both", partBytes: 2 << 10}

func crashChanges() []change {
	var cs []change
	for i := range 300 {
		switch i % 3 {
		case 0:
			cs = append(cs, upv(fmt.Sprintf("id-%04d", i), 2))
		case 1:
			cs = append(cs, del(fmt.Sprintf("id-%04d", i), at(15)))
		default:
			cs = append(cs, upv(fmt.Sprintf("new-%04d", i), 1))
		}
	}
	return cs
}

// TestAMergeKilledMidWayChangesNothing kills (SIGKILL) a process merging into a table on
// versitygw, once while it writes its parts and once after the whole generation is
// written and before the pointer moves: the previous generation stays current and whole,
// and the next attempt publishes the merge, writing the same objects the killed one had.
func TestAMergeKilledMidWayChangesNothing(t *testing.T) {
	store, srv := versitygw(t)
	ctx := context.Background()
	for _, stop := range []string{"parts", "publish"} {
		t.Run(stop, func(t *testing.T) {
			if err := emptyBucket(ctx, store); err != nil {
				t.Fatal(err)
			}
			var first []change
			for i := range 300 {
				first = append(first, upv(fmt.Sprintf("id-%04d", i), 1))
			}
			merge(t, store, run(10), crashOptions, first...)
			before := byID(t, store)

			child := startChild(t, srv, stop)
			cond := genDir(root, 2) + "/" + manifestName
			if stop == "parts" {
				cond = partKey(root, 2, 0)
			}
			waitFor(t, child, func() bool { _, err := store.Head(ctx, cond); return err == nil })
			child.kill(t)

			if p, _, _ := rows(t, store, root); p.Generation != 1 {
				t.Fatalf("pointer at generation %d after the kill", p.Generation)
			}
			if after := byID(t, store); !mapsEqualRows(before, after) {
				t.Fatal("the table changed")
			}
			killed := objects(t, store, genDir(root, 2)+"/")
			res := merge(t, store, run(20), crashOptions, crashChanges()...)
			if res.Current.Generation != 2 || res.Current.Rows != 400 || res.Current.Deleted != 100 {
				t.Fatalf("the next attempt: %+v", res.Current)
			}
			done := objects(t, store, genDir(root, 2)+"/")
			for k, b := range killed {
				if string(done[k]) != string(b) {
					t.Errorf("%s differs from what the killed merge wrote", k)
				}
			}
			if stop == "publish" && len(killed) != len(done) {
				t.Errorf("the killed merge wrote %d objects, the next %d", len(killed), len(done))
			}
		})
	}
}

// TestMergeChild is the merge TestAMergeKilledMidWayChangesNothing kills; it runs only
// in the child process, which stops at PAGEWISE_CURRENT_CHILD (parts or publish) until
// it is killed.
func TestMergeChild(t *testing.T) {
	stop := os.Getenv("PAGEWISE_CURRENT_CHILD")
	if stop == "" {
		t.Skip("the child process of TestAMergeKilledMidWayChangesNothing")
	}
	store := &stallingStore{Store: s3Store(t, os.Getenv("PAGEWISE_CURRENT_S3")), stop: stop}
	_, err := newMerge(t, store, run(20), crashOptions, crashChanges()...).Publish(context.Background())
	t.Fatalf("the merge was to stall at %s, and ended: %v", stop, err)
}

// stallingStore stops for good after the first part is uploaded, or before the pointer
// is written: where the parent kills the process.
type stallingStore struct {
	storage.Store
	stop string
}

func (s *stallingStore) Upload(ctx context.Context, key, contentType string, write func(io.Writer) error) error {
	err := s.Store.Upload(ctx, key, contentType, write)
	if err == nil && s.stop == "parts" && strings.HasSuffix(key, "/data/part-00000.jsonl.gz") && strings.Contains(key, "gen-00000002") {
		stall()
	}
	return err
}

func (s *stallingStore) PutIf(ctx context.Context, key string, body []byte, contentType, etag string) error {
	if s.stop == "publish" && key == pointerKey(root) {
		stall()
	}
	return s.Store.PutIf(ctx, key, body, contentType, etag)
}

// stall waits on stdin, which the parent never writes or closes before the kill.
func stall() { _, _ = io.Copy(io.Discard, os.Stdin) }

type childProc struct {
	cmd    *exec.Cmd
	stdin  io.Closer
	done   chan struct{}
	output *lockedBuffer
}

// lockedBuffer is the child's output, written by os/exec's copying goroutine.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func startChild(t *testing.T, srv *devstack.S3, stop string) *childProc {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestMergeChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "PAGEWISE_CURRENT_CHILD="+stop, "PAGEWISE_CURRENT_S3="+srv.Endpoint)
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &childProc{cmd: cmd, stdin: stdin, done: make(chan struct{}), output: out}
	go func() { _ = cmd.Wait(); close(c.done) }()
	t.Cleanup(func() { c.kill(t) })
	return c
}

func (c *childProc) kill(t *testing.T) {
	t.Helper()
	select {
	case <-c.done:
		return
	default:
	}
	_ = c.cmd.Process.Kill()
	<-c.done
	_ = c.stdin.Close()
}

// waitFor polls cond until it holds; the child ending first fails the test.
func waitFor(t *testing.T, c *childProc, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for !cond() {
		select {
		case <-c.done:
			t.Fatalf("the child ended before the condition held:\n%s", c.output.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("the condition never held:\n%s", c.output.String())
		}
	}
}
