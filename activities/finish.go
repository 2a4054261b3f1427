package activities

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/pagewise/pagewise/internal/storage"
)

// FinishInput is what the workflow knows it wrote: the manifest must agree with it.
type FinishInput struct {
	Export     Export `json:"export"`
	Strategy   string `json:"strategy"`
	Base       string `json:"base"`
	WorkflowID string `json:"workflow_id"`
	// Claim is the export's claim on Base (Resolved.Claim).
	Claim      string      `json:"claim,omitempty"`
	StartedAt  time.Time   `json:"started_at"`
	Partitions []Partition `json:"partitions"`
	// Watermark is stored beside the export's folder for the next incremental run.
	Watermark time.Time `json:"watermark"`
	// SinceGiven: Export.Spec.Since came from the input, not from the series (its
	// watermark.json or a schedule's last run); it may have skipped some of the series.
	SinceGiven bool `json:"since_given,omitempty"`
	// CountAtStart and CountAtEnd are the provider's own counts; Reconcile "fail" fails
	// the export when the exported count lies outside them (default: a warning).
	CountAtStart CountResult `json:"count_at_start,omitzero"`
	CountAtEnd   CountResult `json:"count_at_end,omitzero"`
	// CountEnd, when set, has Finish take the count at the end itself, while it walks the
	// bucket, instead of the workflow taking it first: one request's latency less.
	CountEnd  *CountInput `json:"count_end,omitempty"`
	Reconcile string      `json:"reconcile,omitempty"`
	// Resumed is set when this export continued a stopped run.
	Resumed *Resumed `json:"resumed,omitempty"`
	// Tables is the table WriteTables derived from the pages, listed in the manifest.
	Tables *TablesResult `json:"tables,omitempty"`
}

// FinishResult says where the manifest is.
type FinishResult struct {
	ManifestKey string `json:"manifest_key"`
	Location    string `json:"location"`
	Pages       int    `json:"pages"`
	Records     int64  `json:"records"`
	Bytes       int64  `json:"bytes"`
}

// Finish walks the export's objects a listing page at a time, checks them against the
// workflow's own counts, writes the manifest, then re-reads it against a fresh listing.
// Any disagreement fails the export loudly instead of leaving a manifest that claims more
// than is there. Nothing Finish reads or writes is held whole: the manifest goes to the
// bucket in parts as it is written. A page's records and SHA-256 come from its batch's
// index where one describes the listed bytes (index.go), else from a HEAD.
func (a *Activities) Finish(ctx context.Context, in FinishInput) (_ FinishResult, err error) {
	defer a.logFailure(ctx, "export could not finish", &err, "export_id", in.Export.ID, "provider", in.Export.Provider,
		"resource", in.Export.Spec.Resource, "workflow_id", in.WorkflowID)
	if err := a.checkOwner(ctx, in.Base, in.WorkflowID, in.Claim); err != nil {
		return FinishResult{}, err
	}
	m := Manifest{
		Format: ManifestFormat, ExportID: in.Export.ID, WorkflowID: in.WorkflowID, Provider: in.Export.Provider,
		Input: in.Export, Strategy: in.Strategy, Location: a.Store.Location(in.Base),
		PagesGlob: pagesGlob(a.Store.Location(in.Base)), PageFormat: PageFormat,
		StartedAt: in.StartedAt.UTC(), FinishedAt: time.Now().UTC(),
		Since: in.Export.Spec.Since, Watermark: in.Watermark, Resumed: in.Resumed,
	}
	// The totals are the workflow's; the tally fails the export unless the bucket agrees.
	for _, p := range in.Partitions {
		m.Pages += p.Pages
		m.Records += p.Records
		m.Bytes += p.Bytes
	}
	m.FieldsRefused = fieldsRefused(in.Partitions)
	if m.Table, err = a.finishTable(ctx, in, m.Records); err != nil {
		return FinishResult{}, a.unpublish(ctx, in, err)
	}
	used, inner, err := a.stageManifest(ctx, in, a.manifestHead(ctx, &m, in))
	switch {
	case inner != nil:
		return FinishResult{}, a.unpublish(ctx, in, inner)
	case err != nil:
		return FinishResult{}, storageError(err)
	}
	key, err := a.publish(ctx, in)
	if err != nil {
		return FinishResult{}, err
	}
	// Written only after a verified manifest: a failed export never advances it.
	schemaKey := ""
	if m.Table != nil {
		schemaKey = m.Table.SchemaKey
	}
	if err := a.advanceSeries(ctx, in, key, schemaKey); err != nil {
		return FinishResult{}, err
	}
	a.logger().InfoContext(ctx, "export finished", "export_id", in.Export.ID, "provider", in.Export.Provider,
		"resource", in.Export.Spec.Resource, "pages", m.Pages, "records", m.Records, "bytes", m.Bytes,
		"pages_from_index", used, "manifest", a.Store.Location(key))
	return FinishResult{ManifestKey: key, Location: a.Store.Location(key), Pages: m.Pages, Records: m.Records, Bytes: m.Bytes}, nil
}

// advanceSeries writes the prefix's watermark.json for an export that took every record of
// its resource: written only after a verified manifest, so a failed export never advances
// it, and never by one whose input left records out.
func (a *Activities) advanceSeries(ctx context.Context, in FinishInput, manifestKey, schemaKey string) error {
	what, err := a.narrowing(ctx, in.Export, in.SinceGiven)
	if err != nil {
		return err
	}
	if what != "" {
		a.logger().InfoContext(ctx, "watermark left as it was: the export's "+what+" left records out of the series",
			"export_id", in.Export.ID, "provider", in.Export.Provider, "resource", in.Export.Spec.Resource,
			"watermark", a.Store.Location(a.watermarkKey(in.Export)))
		return nil
	}
	return a.writeWatermark(ctx, in.Export, in.Watermark, manifestKey, schemaKey)
}

// manifestHead gives the manifest's head once asked for: with the provider's count at the
// end, which Finish takes meanwhile where in.CountEnd asks it to, reconciled.
func (a *Activities) manifestHead(ctx context.Context, m *Manifest, in FinishInput) func() (Manifest, error) {
	end := func() CountResult { return in.CountAtEnd }
	if in.CountEnd != nil {
		end = a.countBeside(ctx, *in.CountEnd)
	}
	return func() (Manifest, error) {
		in.CountAtEnd = end()
		var err error
		m.ProviderCount, err = a.reconciled(ctx, in, m.Records)
		return *m, err
	}
}

// stageManifest streams the manifest to its staged key as the listing is walked; it is
// kept only if the bucket agrees with the workflow's counts. inner is the walk's own
// failure, err the upload's; used counts the pages described from indexes.
func (a *Activities) stageManifest(ctx context.Context, in FinishInput, head func() (Manifest, error)) (used int, inner, err error) {
	staged := in.Base + "/" + manifestName + stagedSuffix
	upload := func(idx *pageIndexes) (inner, err error) {
		err = a.Store.Upload(ctx, staged, "application/json", func(out io.Writer) error {
			inner = a.writeManifest(ctx, out, head, in, idx)
			return inner
		})
		return inner, err
	}
	idx := a.openIndexes(ctx, in.Base)
	inner, err = upload(idx)
	// An index entry names the listed bytes, but its counts are only its word: a bucket
	// that disagrees is checked again by HEAD before the export fails for it.
	if idx.used > 0 && isVerificationFailure(inner) {
		a.logger().WarnContext(ctx, "export's objects disagree with its counts as the batch indexes describe them; reading every page's metadata",
			"export_id", in.Export.ID, "error", inner)
		idx = &pageIndexes{}
		inner, err = upload(idx)
	}
	return idx.used, inner, err
}

// writeManifest writes the manifest head gives to out with every page object as a walk
// of the listing finds it, and fails unless the objects agree with the workflow's
// counts. head is asked for after the first listing page is described, so whatever it
// waits on overlaps that much of the walk.
func (a *Activities) writeManifest(ctx context.Context, out io.Writer, head func() (Manifest, error), in FinishInput, idx *pageIndexes) error {
	var w *manifestWriter
	begin := func() error {
		if w != nil {
			return nil
		}
		m, err := head()
		if err != nil {
			return err
		}
		w, err = newManifestWriter(out, m)
		return err
	}
	t := newTally(in.Partitions)
	var failed error // describing an object failed, as opposed to listing
	described := 0
	walked := a.Store.Walk(ctx, in.Base+"/"+dataDir+"/", func(listed []storage.Object) error {
		if len(listed) == 0 {
			return nil
		}
		last := listed[len(listed)-1].Key
		idx.reach(ctx, last)
		objects, err := a.describeAll(ctx, in.Base, listed, idx)
		idx.pass(last)
		if err == nil {
			err = begin()
		}
		if err != nil {
			failed = err
			return err
		}
		for _, o := range objects {
			t.add(o)
			w.add(o)
		}
		described += len(objects)
		if activity.IsActivity(ctx) {
			activity.RecordHeartbeat(ctx, described)
		}
		return nil
	})
	switch {
	case failed != nil:
		return failed
	case walked != nil:
		return storageError(walked)
	}
	if err := begin(); err != nil { // nothing was listed
		return err
	}
	if err := t.check(); err != nil {
		return verificationFailed(in.Base, err)
	}
	if err := w.close(); err != nil {
		return storageError(err)
	}
	return nil
}

// ReconcileFail is the FinishInput.Reconcile policy that fails an export whose count the
// provider's own counts contradict.
const ReconcileFail = "fail"

// reconciled compares the exported count with the provider's: outside their range it
// fails the export under ReconcileFail, else warns. Records created or deleted while the
// export ran move the provider's count, which is why both ends are taken.
func (a *Activities) reconciled(ctx context.Context, in FinishInput, exported int64) (*ProviderCount, error) {
	pc := reconcile(in.CountAtStart, in.CountAtEnd, exported)
	if pc == nil || pc.Within {
		return pc, nil
	}
	msg := fmt.Sprintf("exported %d records; the provider counted %d when the export started and %d when it ended",
		exported, pc.AtStart, pc.AtEnd)
	if in.Reconcile == ReconcileFail {
		return nil, temporal.NewNonRetryableApplicationError(msg, ErrReconciliation, nil)
	}
	a.logger().WarnContext(ctx, "export count disagrees with the provider's", "export_id", in.Export.ID,
		"provider", in.Export.Provider, "resource", in.Export.Spec.Resource, "detail", msg)
	return pc, nil
}

// stagedSuffix names the manifest while it is verified: manifest.json appears only once
// the export is complete and verified, so its presence always means both.
const stagedSuffix = ".staged"

// publish verifies the staged manifest against the bucket and only then copies it to
// manifest.json, in the bucket. A failed verification leaves no manifest of either name.
// The folder's owner is read again first: the walk may have taken minutes.
func (a *Activities) publish(ctx context.Context, in FinishInput) (string, error) {
	base := in.Base
	key := base + "/" + manifestName
	staged := key + stagedSuffix
	if err := a.verify(ctx, staged, base); err != nil {
		return "", a.unpublish(ctx, in, err)
	}
	if err := a.checkOwner(ctx, base, in.WorkflowID, in.Claim); err != nil {
		return "", err
	}
	if err := a.Store.Copy(ctx, staged, key); err != nil {
		return "", storageError(err)
	}
	// A checkpoint left by a stopped run that was resumed or reset no longer says anything.
	if err := a.Store.Delete(ctx, []string{staged, base + "/" + checkpointName}); err != nil {
		return "", storageError(err)
	}
	if err := a.dropIndexes(ctx, base); err != nil {
		return "", storageError(fmt.Errorf("removing the batch indexes: %w", err))
	}
	return key, nil
}

// unpublish removes the manifest this export may have published (an earlier attempt may
// have) when cause is a failed verification, and returns cause; a storage failure is
// retried. It deletes only while the folder is still this export's, and only a manifest
// that names this workflow, as it read it.
func (a *Activities) unpublish(ctx context.Context, in FinishInput, cause error) error {
	if !isVerificationFailure(cause) {
		return cause
	}
	if err := a.checkOwner(ctx, in.Base, in.WorkflowID, in.Claim); err != nil {
		return err
	}
	key := in.Base + "/" + manifestName
	if err := a.Store.Delete(ctx, []string{key + stagedSuffix}); err != nil {
		return storageError(fmt.Errorf("removing the unverified manifest: %w", err))
	}
	if err := a.removeOwnManifest(ctx, key, workflowOf(ctx, in.WorkflowID)); err != nil {
		return err
	}
	return cause
}

// removeOwnManifest deletes the manifest at key if it names workflow wf, and only the
// object whose head it read.
func (a *Activities) removeOwnManifest(ctx context.Context, key, wf string) error {
	etag, err := a.etagOf(ctx, key)
	if err != nil || etag == "" {
		return err
	}
	owner, found, err := a.markerOwner(ctx, key)
	if err != nil || !found || owner != wf {
		return err
	}
	err = a.Store.DeleteIf(ctx, key, etag)
	if errors.Is(err, storage.ErrUnconditional) { // checked just above, if not atomically
		err = a.Store.Delete(ctx, []string{key})
	}
	switch {
	case errors.Is(err, storage.ErrPrecondition):
		return nil // replaced since: not the manifest read
	case err != nil:
		return storageError(fmt.Errorf("removing the unverified manifest: %w", err))
	}
	return nil
}

// describeAll reads one listing page's record counts and checksums: from the batch
// indexes where an entry describes the listed bytes, else 16 heads at a time.
func (a *Activities) describeAll(ctx context.Context, base string, listed []storage.Object, idx *pageIndexes) ([]PageObject, error) {
	objects := make([]PageObject, len(listed))
	var heads []int
	for i, l := range listed {
		if o, ok := idx.describe(l); ok {
			objects[i] = o
		} else {
			heads = append(heads, i)
		}
	}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		next     = make(chan int)
	)
	for range min(16, len(heads)) {
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
	for _, i := range heads {
		next <- i
	}
	close(next)
	wg.Wait()
	return objects, firstErr
}

func (a *Activities) describe(ctx context.Context, base, key string) (PageObject, error) {
	partition, seq, ok := parsePageKey(base, key)
	if !ok {
		return PageObject{}, verificationFailed(base, fmt.Errorf("unexpected object %s in the export's data folder", key))
	}
	head, err := a.Store.Head(ctx, key)
	if err != nil {
		return PageObject{}, storageError(err)
	}
	records, err := strconv.Atoi(head.Metadata[metaRecords])
	if err != nil || head.Metadata[metaSHA256] == "" {
		return PageObject{}, verificationFailed(base, fmt.Errorf("object %s lacks its records/sha256 metadata", key))
	}
	return PageObject{Key: key, Partition: partition, Seq: seq, Records: records, Bytes: head.Size, SHA256: head.Metadata[metaSHA256]}, nil
}

func isVerificationFailure(err error) bool {
	var appErr *temporal.ApplicationError
	return errors.As(err, &appErr) && appErr.Type() == ErrVerification
}

func verificationFailed(where string, err error) error {
	return temporal.NewNonRetryableApplicationError(fmt.Sprintf("verification of %s failed: %v", where, err), ErrVerification, nil)
}

// fieldsRefused is every field the partitions' positions say the API refused, sorted.
func fieldsRefused(parts []Partition) []string {
	var out []string
	for _, p := range parts {
		if p.Position.Refused != "" {
			out = append(out, strings.Split(p.Position.Refused, ",")...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
