package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/pagewise/pagewise/internal/current"
	"github.com/pagewise/pagewise/internal/storage"
	"github.com/pagewise/pagewise/internal/table"
)

// The merge section: a current table of mergeRows records (package current), then one
// run's mergeChanges changes merged into it, each merge a process of its own so that its
// time, CPU and peak RSS are the merge's alone.
const (
	mergeRows    = 1_000_000
	mergeChanges = 10_000
)

// mergeChildEnv names the merge a child process runs (first or changes), and with it the
// store and table: the bench binary started again, see init.
const mergeChildEnv = "PAGEWISE_BENCH_MERGE"

var mergeStart = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

func init() {
	if mode := os.Getenv(mergeChildEnv); mode != "" {
		os.Exit(mergeChild(mode))
	}
}

// mergeResult is what a child prints: its own timing and what the merge wrote.
type mergeResult struct {
	Seconds  float64 `json:"seconds"`
	Rows     int64   `json:"rows"`
	Bytes    int64   `json:"bytes"`
	Parts    int     `json:"parts"`
	Files    int     `json:"files"`
	PeakHeld int     `json:"peak_held"`
	Error    string  `json:"error,omitempty"`
}

// merge measures, for jsonl and parquet, the first generation of mergeRows records and
// the merge of mergeChanges changes into it.
func (e *env) merge(ctx context.Context, _ options) ([]row, error) {
	var rows []row
	for _, format := range []string{table.FormatJSONL, table.FormatParquet} {
		root := "bench-merge/" + format + "/current/lead"
		for _, mode := range []string{"first", "changes"} {
			progress("merge: %s, %s…", format, mode)
			res, u, err := e.mergeProcess(ctx, mode, format, root)
			if err != nil {
				return nil, err
			}
			path := fmt.Sprintf("first generation: %s upserts", group(mergeRows))
			if mode == "changes" {
				path = fmt.Sprintf("%s rows + %s changes", group(mergeRows), group(mergeChanges))
			}
			progress("  %s rows in %.1f s, %d parts, %d Parquet files, %s bytes, at most %d records held",
				group(res.Rows), res.Seconds, res.Parts, res.Files, group(res.Bytes), res.PeakHeld)
			rows = append(rows, row{section: "merge", export: "current/lead", path: path, strategy: "spill 100k",
				records: res.Rows, bytes: res.Bytes, elapsed: time.Duration(res.Seconds * float64(time.Second)),
				usage: &u, format: format})
		}
	}
	return rows, nil
}

// mergeProcess runs one merge in a child process and reads its resource usage.
func (e *env) mergeProcess(ctx context.Context, mode, format, root string) (mergeResult, usage, error) {
	bin, err := os.Executable()
	if err != nil {
		return mergeResult{}, usage{}, err
	}
	cmd := exec.CommandContext(ctx, bin)
	cmd.Env = append(os.Environ(), mergeChildEnv+"="+mode, "PAGEWISE_BENCH_MERGE_FORMAT="+format,
		"PAGEWISE_BENCH_MERGE_ROOT="+root, "PAGEWISE_S3_ENDPOINT="+e.s3.Endpoint,
		"AWS_ACCESS_KEY_ID="+e.s3.AccessKey, "AWS_SECRET_ACCESS_KEY="+e.s3.SecretKey)
	var errOut strings.Builder
	cmd.Stderr = &errOut
	out, err := cmd.Output()
	var res mergeResult
	if jerr := json.Unmarshal(out, &res); jerr != nil || err != nil || res.Error != "" {
		return res, usage{}, fmt.Errorf("merge %s %s: %v %s %s", format, mode, err, res.Error, errOut.String())
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return res, usage{}, fmt.Errorf("no resource usage for the merge on this system")
	}
	u := usage{cpu: time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), rssKB: ru.Maxrss}
	if runtime.GOOS == "darwin" {
		u.rssKB /= 1024
	}
	return res, u, nil
}

// mergeChild is the child process: one merge, its result as JSON on stdout.
func mergeChild(mode string) int {
	res, err := runMerge(context.Background(), mode)
	if err != nil {
		res.Error = err.Error()
	}
	_ = json.NewEncoder(os.Stdout).Encode(res)
	if err != nil {
		return 1
	}
	return 0
}

func runMerge(ctx context.Context, mode string) (mergeResult, error) {
	store, err := storage.NewS3(ctx, storage.Config{Endpoint: os.Getenv("PAGEWISE_S3_ENDPOINT"), Region: "us-east-1",
		Bucket: bucket, PathStyle: true})
	if err != nil {
		return mergeResult{}, err
	}
	run := current.Run{ID: "bench-1", ExtractedAt: mergeStart}
	if mode == "changes" {
		run = current.Run{ID: "bench-2", ExtractedAt: mergeStart.Add(time.Hour)}
	}
	started := time.Now()
	m, err := current.New(store, os.Getenv("PAGEWISE_BENCH_MERGE_ROOT"), run,
		current.Options{Format: os.Getenv("PAGEWISE_BENCH_MERGE_FORMAT")})
	if err != nil {
		return mergeResult{}, err
	}
	defer m.Close()
	if err := addMergeChanges(m, mode); err != nil {
		return mergeResult{}, err
	}
	out, err := m.Publish(ctx)
	if err != nil {
		return mergeResult{}, err
	}
	res := mergeResult{Seconds: time.Since(started).Seconds(), Rows: out.Current.Rows, PeakHeld: out.PeakHeld}
	_, man, _, err := current.Read(ctx, store, os.Getenv("PAGEWISE_BENCH_MERGE_ROOT"))
	if err != nil {
		return res, err
	}
	for _, p := range man.Parts {
		res.Bytes += p.Bytes
	}
	res.Parts = len(man.Parts)
	if man.Parquet != nil {
		res.Files = len(man.Parquet.Files)
		for _, f := range man.Parquet.Files {
			res.Bytes += f.Bytes
		}
	}
	return res, nil
}

// addMergeChanges is the first run's mergeRows records, or the second run's changes: of
// every five, three updates, an insert and a delete.
func addMergeChanges(m *current.Merge, mode string) error {
	if mode == "first" {
		for i := range mergeRows {
			if err := m.Upsert(benchID(i), benchRecord(i, 1), benchPage(i)); err != nil {
				return err
			}
		}
		return nil
	}
	for i := range mergeChanges {
		var err error
		switch i % 5 {
		case 0, 1, 2:
			n := (i * 97) % mergeRows
			err = m.Upsert(benchID(n), benchRecord(n, 2), benchPage(i))
		case 3:
			err = m.Upsert(benchID(mergeRows+i), benchRecord(mergeRows+i, 1), benchPage(i))
		case 4:
			err = m.Delete(benchID((i*89+7)%mergeRows), mergeStart.Add(30*time.Minute))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func benchID(i int) string   { return fmt.Sprintf("lead_%08d", i) }
func benchPage(i int) string { return fmt.Sprintf("data/part-000/page-%08d.jsonl.gz", i/100+1) }

// benchRecord is a Close lead's shape, about 700 bytes: nested contacts, custom fields,
// text that compresses as records do.
func benchRecord(i, version int) []byte {
	created := mergeStart.Add(-time.Duration(i) * time.Minute).Format("2006-01-02T15:04:05.000000+00:00")
	return []byte(`{"id":"` + benchID(i) + `","display_name":"Lead ` + strconv.Itoa(i) + `","status_label":"Potential",` +
		`"status_id":"stat_` + strconv.Itoa(i%7) + `","date_created":"` + created + `","date_updated":"` + created + `",` +
		`"version":` + strconv.Itoa(version) + `,"url":null,"description":"Met at the trade fair in spring; wants a quote for ` +
		strconv.Itoa(i%500) + ` seats and a call back next quarter.","contacts":[{"id":"cont_` + strconv.Itoa(i) +
		`","name":"Contact ` + strconv.Itoa(i) + `","title":"Buyer","emails":[{"type":"office","email":"c` + strconv.Itoa(i) +
		`@example.com"}],"phones":[{"type":"office","phone":"+1555` + fmt.Sprintf("%07d", i) + `"}]}],` +
		`"addresses":[{"label":"business","address_1":"` + strconv.Itoa(i%900+1) + ` Main St","city":"Springfield","country":"US"}],` +
		`"custom":{"cf_source":"fair","cf_seats":` + strconv.Itoa(i%500) + `,"cf_score":` + strconv.Itoa(i%100) + `.5},` +
		`"opportunities":[],"tasks":[],"organization_id":"orga_1"}`)
}
