package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
)

// FinishInput is what the workflow knows it wrote: the manifest must agree with it.
type FinishInput struct {
	Export     Export      `json:"export"`
	Strategy   string      `json:"strategy"`
	Base       string      `json:"base"`
	WorkflowID string      `json:"workflow_id"`
	StartedAt  time.Time   `json:"started_at"`
	Partitions []Partition `json:"partitions"`
	// Watermark is stored beside the export's folder for the next incremental run.
	Watermark time.Time `json:"watermark"`
}

// FinishResult says where the manifest is.
type FinishResult struct {
	ManifestKey string `json:"manifest_key"`
	Location    string `json:"location"`
	Pages       int    `json:"pages"`
	Records     int64  `json:"records"`
	Bytes       int64  `json:"bytes"`
}

// Finish lists the export's objects, checks them against the workflow's own counts,
// writes the manifest, then re-reads it against a fresh listing. Any disagreement fails
// the export loudly instead of leaving a manifest that claims more than is there.
func (a *Activities) Finish(ctx context.Context, in FinishInput) (_ FinishResult, err error) {
	defer a.logFailure(ctx, "export could not finish", &err, "export_id", in.Export.ID, "provider", in.Export.Provider,
		"resource", in.Export.Spec.Resource, "workflow_id", in.WorkflowID)
	objects, err := a.collect(ctx, in.Base)
	if err != nil {
		return FinishResult{}, err
	}
	if err := checkAgainstPartitions(objects, in.Partitions); err != nil {
		return FinishResult{}, verificationFailed(in.Base, err)
	}
	m := Manifest{
		Format: ManifestFormat, ExportID: in.Export.ID, WorkflowID: in.WorkflowID, Provider: in.Export.Provider,
		Input: in.Export, Strategy: in.Strategy, Location: a.Store.Location(in.Base),
		StartedAt: in.StartedAt.UTC(), FinishedAt: time.Now().UTC(), Objects: objects,
		Since: in.Export.Spec.Since, Watermark: in.Watermark,
	}
	for _, o := range objects {
		m.Pages++
		m.Records += int64(o.Records)
		m.Bytes += o.Bytes
	}
	body, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return FinishResult{}, err
	}
	key := in.Base + "/" + manifestName
	if err := a.Store.Put(ctx, key, body, "application/json", nil); err != nil {
		return FinishResult{}, fmt.Errorf("%s: %w", ErrStorage, err)
	}
	if err := a.Verify(ctx, key); err != nil {
		return FinishResult{}, err
	}
	// Written only after a verified manifest: a failed export never advances it.
	if err := a.writeWatermark(ctx, in.Export, in.Watermark, key); err != nil {
		return FinishResult{}, err
	}
	a.logger().InfoContext(ctx, "export finished", "export_id", in.Export.ID, "provider", in.Export.Provider,
		"resource", in.Export.Spec.Resource, "pages", m.Pages, "records", m.Records, "bytes", m.Bytes,
		"manifest", a.Store.Location(key))
	return FinishResult{ManifestKey: key, Location: a.Store.Location(key), Pages: m.Pages, Records: m.Records, Bytes: m.Bytes}, nil
}

// Verify re-reads a manifest and compares it with the bucket listing: every listed page
// object is in the manifest once with the same size, and nothing else is under data/.
func (a *Activities) Verify(ctx context.Context, manifestKey string) error {
	body, err := a.Store.Get(ctx, manifestKey)
	if err != nil {
		return fmt.Errorf("%s: re-reading manifest: %w", ErrStorage, err)
	}
	var m Manifest
	if err := json.Unmarshal(body, &m); err != nil {
		return verificationFailed(manifestKey, fmt.Errorf("manifest is not valid JSON: %w", err))
	}
	base := strings.TrimSuffix(manifestKey, "/"+manifestName)
	listed, err := a.Store.List(ctx, base+"/"+dataDir+"/")
	if err != nil {
		return fmt.Errorf("%s: %w", ErrStorage, err)
	}
	sizes := make(map[string]int64, len(listed))
	for _, o := range listed {
		sizes[o.Key] = o.Size
	}
	var problems []string
	seen := make(map[string]bool, len(m.Objects))
	var records int64
	for _, o := range m.Objects {
		size, ok := sizes[o.Key]
		switch {
		case seen[o.Key]:
			problems = append(problems, "listed twice in manifest: "+o.Key)
		case !ok:
			problems = append(problems, "in manifest but missing from bucket: "+o.Key)
		case size != o.Bytes:
			problems = append(problems, fmt.Sprintf("size of %s is %d, manifest says %d", o.Key, size, o.Bytes))
		}
		seen[o.Key] = true
		records += int64(o.Records)
	}
	for _, o := range listed {
		if !seen[o.Key] {
			problems = append(problems, "in bucket but not in manifest: "+o.Key)
		}
	}
	if records != m.Records || len(m.Objects) != m.Pages {
		problems = append(problems, fmt.Sprintf("manifest totals (%d pages, %d records) disagree with its objects (%d, %d)",
			m.Pages, m.Records, len(m.Objects), records))
	}
	if len(problems) > 0 {
		return verificationFailed(manifestKey, errors.New(strings.Join(first(problems, 10), "; ")))
	}
	return nil
}

// collect lists the data objects and reads each one's record count and checksum.
func (a *Activities) collect(ctx context.Context, base string) ([]PageObject, error) {
	listed, err := a.Store.List(ctx, base+"/"+dataDir+"/")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ErrStorage, err)
	}
	objects := make([]PageObject, len(listed))
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		next     = make(chan int)
	)
	for range 16 {
		wg.Go(func() {
			for i := range next {
				o, err := a.describe(ctx, base, listed[i].Key)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				objects[i] = o
				mu.Unlock()
			}
		})
	}
	for i := range listed {
		if i%500 == 0 && activity.IsActivity(ctx) {
			activity.RecordHeartbeat(ctx, i)
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	slices.SortFunc(objects, func(x, y PageObject) int {
		if x.Partition != y.Partition {
			return x.Partition - y.Partition
		}
		return x.Seq - y.Seq
	})
	return objects, nil
}

func (a *Activities) describe(ctx context.Context, base, key string) (PageObject, error) {
	partition, seq, ok := parsePageKey(base, key)
	if !ok {
		return PageObject{}, verificationFailed(base, fmt.Errorf("unexpected object %s in the export's data folder", key))
	}
	head, err := a.Store.Head(ctx, key)
	if err != nil {
		return PageObject{}, fmt.Errorf("%s: %w", ErrStorage, err)
	}
	records, err := strconv.Atoi(head.Metadata[metaRecords])
	if err != nil || head.Metadata[metaSHA256] == "" {
		return PageObject{}, verificationFailed(base, fmt.Errorf("object %s lacks its records/sha256 metadata", key))
	}
	return PageObject{Key: key, Partition: partition, Seq: seq, Records: records, Bytes: head.Size, SHA256: head.Metadata[metaSHA256]}, nil
}

// checkAgainstPartitions demands exactly pages 1..n of every partition and the counts
// the workflow recorded from each page activity.
func checkAgainstPartitions(objects []PageObject, parts []Partition) error {
	want := map[int]Partition{}
	for _, p := range parts {
		want[p.ID] = p
	}
	got := map[int][]PageObject{}
	for _, o := range objects {
		got[o.Partition] = append(got[o.Partition], o)
	}
	var problems []string
	for id := range got {
		if _, ok := want[id]; !ok {
			problems = append(problems, fmt.Sprintf("objects for unknown partition %d", id))
		}
	}
	for _, p := range parts {
		objs := got[p.ID]
		var records, size int64
		for i, o := range objs {
			if o.Seq != i+1 {
				problems = append(problems, fmt.Sprintf("partition %d: page %d where page %d was expected", p.ID, o.Seq, i+1))
				break
			}
			records += int64(o.Records)
			size += o.Bytes
		}
		if len(objs) != p.Pages || records != p.Records || size != p.Bytes {
			problems = append(problems, fmt.Sprintf("partition %d: bucket holds %d pages/%d records/%d bytes, the export wrote %d/%d/%d",
				p.ID, len(objs), records, size, p.Pages, p.Records, p.Bytes))
		}
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return errors.New(strings.Join(first(problems, 10), "; "))
	}
	return nil
}

func verificationFailed(where string, err error) error {
	return temporal.NewNonRetryableApplicationError(fmt.Sprintf("verification of %s failed: %v", where, err), ErrVerification, nil)
}

func first(s []string, n int) []string {
	if len(s) > n {
		return append(s[:n:n], fmt.Sprintf("and %d more", len(s)-n))
	}
	return s
}
