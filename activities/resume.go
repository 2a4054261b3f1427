package activities

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/storage"
)

// StoppedRun is what an export that ended without a manifest left in Temporal: its run
// and its state as the workflow's state query answers it (Temporal replays the closed
// run's history to answer, so a terminated run, which wrote no checkpoint, has one too).
type StoppedRun struct {
	RunID  string       `json:"run_id"`
	Status string       `json:"status"` // Canceled, Failed, Terminated, TimedOut
	State  StoppedState `json:"state"`
	Closed time.Time    `json:"closed"`
}

// StoppedState is the part of the workflow's state a resume needs.
type StoppedState struct {
	ExportID     string        `json:"export_id,omitempty"`
	Plan         provider.Plan `json:"plan"`
	Base         string        `json:"base"`
	StartedAt    time.Time     `json:"started_at"`
	Partitions   []Partition   `json:"partitions"`
	Planned      bool          `json:"planned,omitempty"`
	CountAtStart CountResult   `json:"count_at_start,omitzero"`
}

// StoppedRuns finds the newest run of a workflow id that stopped without finishing.
type StoppedRuns interface {
	// LastStopped is the newest closed run of workflowID other than exceptRun. ok is false
	// when there is none; a completed newest run is an error (nothing to resume).
	LastStopped(ctx context.Context, workflowID, exceptRun string) (run StoppedRun, ok bool, err error)
}

// ResumeInput asks where a resumed export continues.
type ResumeInput struct {
	Export     Export        `json:"export"`
	Base       string        `json:"base"`
	Plan       provider.Plan `json:"plan"` // the plan Prepare made from this run's input
	WorkflowID string        `json:"workflow_id"`
	RunID      string        `json:"run_id"`
	Claim      string        `json:"claim,omitempty"` // this run's claim on Base
}

// Resumed is what the manifest records of a resume.
type Resumed struct {
	FromWorkflowID string `json:"from_workflow_id"`
	FromRunID      string `json:"from_run_id"`
	FromStatus     string `json:"from_status"`
	PagesKept      int    `json:"pages_kept"`
	RecordsKept    int64  `json:"records_kept"`
	// PartitionsRestarted counts partitions whose stored pages disagreed with what the
	// stopped run recorded; they are paged again from their start.
	PartitionsRestarted int `json:"partitions_restarted,omitempty"`
}

// ResumeResult is where to continue; Found is false when there was nothing to resume
// (the export starts from the beginning).
type ResumeResult struct {
	Found   bool         `json:"found"`
	State   StoppedState `json:"state"`
	Resumed Resumed      `json:"resumed"`
}

// ResumePoint finds the stopped run of this export, keeps every page it wrote whose
// stored bytes, SHA-256 and record count match what it recorded, deletes the rest, and
// returns the state to continue from.
func (a *Activities) ResumePoint(ctx context.Context, in ResumeInput) (_ ResumeResult, err error) {
	defer a.logFailure(ctx, "export could not resume", &err, "export_id", in.Export.ID, "provider", in.Export.Provider, "resource", in.Export.Spec.Resource)
	if a.Runs == nil {
		return ResumeResult{}, invalid("this worker cannot look up stopped runs (no Temporal client)")
	}
	if err := a.checkOwner(ctx, in.Base, in.WorkflowID, in.Claim); err != nil {
		return ResumeResult{}, err
	}
	run, ok, err := a.Runs.LastStopped(ctx, in.WorkflowID, in.RunID)
	switch {
	case err != nil:
		return ResumeResult{}, err // retried: Temporal may be catching up
	case ok && run.Status == "Completed":
		return ResumeResult{}, invalid("export %s completed in run %s: there is nothing to resume; start it again without resume to export everything again", in.WorkflowID, run.RunID)
	case !ok || len(run.State.Partitions) == 0:
		return ResumeResult{}, nil // nothing recorded: start from the beginning
	}
	st := run.State
	if err := samePlan(st, in); err != nil {
		return ResumeResult{}, err
	}
	res := ResumeResult{Found: true, Resumed: Resumed{FromWorkflowID: in.WorkflowID, FromRunID: run.RunID, FromStatus: run.Status}}
	kept, err := a.keepVerified(ctx, in.Base, st.Partitions, &res.Resumed)
	if errors.Is(err, errStartOver) {
		a.logger().WarnContext(ctx, "export's stored pages disagree with its stopped run; exporting from the start",
			"export_id", in.Export.ID, "from_run", run.RunID)
		return ResumeResult{}, nil
	}
	if err != nil {
		return ResumeResult{}, err
	}
	st.Partitions = kept
	res.State = st
	a.logger().InfoContext(ctx, "export resumed", "export_id", in.Export.ID, "from_run", run.RunID, "status", run.Status,
		"pages_kept", res.Resumed.PagesKept, "records_kept", res.Resumed.RecordsKept, "partitions_restarted", res.Resumed.PartitionsRestarted)
	return res, nil
}

// samePlan refuses to resume with an input that would page differently from the stopped
// run: its pages would not fit the new positions.
func samePlan(st StoppedState, in ResumeInput) error {
	if st.Base != in.Base {
		return invalid("the stopped run wrote to %s, this one would write to %s: resume with the same prefix and export_id", st.Base, in.Base)
	}
	was, _ := json.Marshal(st.Plan)
	now, _ := json.Marshal(in.Plan)
	if string(was) != string(now) {
		return invalid("resume needs the input the stopped export had: it was %s, now %s", was, now)
	}
	return nil
}

// keepVerified checks each partition's pages 1..n against the stopped run's counts and each
// object's own SHA-256; a partition whose pages disagree starts again from its Start. Any
// other object under data/ (a page written after the run last recorded one) is deleted.
func (a *Activities) keepVerified(ctx context.Context, base string, parts []Partition, r *Resumed) ([]Partition, error) {
	listed, err := a.Store.List(ctx, base+"/"+dataDir+"/")
	if err != nil {
		return nil, storageError(err)
	}
	keep := map[string]bool{}
	out := make([]Partition, len(parts))
	for i, p := range parts {
		ok, err := a.pagesMatch(ctx, base, p)
		if err != nil {
			return nil, err
		}
		switch {
		case ok:
			for seq := 1; seq <= p.Pages; seq++ {
				keep[PageKey(base, p.ID, seq)] = true
			}
			r.PagesKept += p.Pages
			r.RecordsKept += p.Records
		case p.Start == nil:
			// No position pages this partition again alone: the whole export starts over.
			keep = map[string]bool{}
			if err := a.deleteStale(ctx, base, listed, keep); err != nil {
				return nil, err
			}
			return nil, errStartOver
		default:
			p = Partition{ID: p.ID, Position: *p.Start, Start: p.Start}
			r.PartitionsRestarted++
		}
		p.HoldSince, p.Holding, p.Holds = time.Time{}, "", 0
		out[i] = p
	}
	return out, a.deleteStale(ctx, base, listed, keep)
}

// errStartOver: the stored pages cannot be trusted and cannot be redone one partition at
// a time; the export starts from the beginning.
var errStartOver = errors.New("start over")

// deleteStale deletes every listed page not kept, and the stopped run's checkpoint and
// staged manifest.
func (a *Activities) deleteStale(ctx context.Context, base string, listed []storage.Object, keep map[string]bool) error {
	var stale []string
	for _, o := range listed {
		if !keep[o.Key] {
			stale = append(stale, o.Key)
		}
	}
	stale = append(stale, base+"/"+checkpointName, base+"/"+manifestName+stagedSuffix)
	if err := a.Store.Delete(ctx, stale); err != nil {
		return storageError(err)
	}
	return nil
}

// pagesMatch reads pages 1..n of p, 16 at a time: each must hold what its metadata says
// (record count, SHA-256 of the stored bytes), and together what the run recorded.
func (a *Activities) pagesMatch(ctx context.Context, base string, p Partition) (bool, error) {
	type got struct {
		records, bytes int64
		ok             bool
		err            error
	}
	results := make([]got, p.Pages)
	var wg sync.WaitGroup
	next := make(chan int)
	for range 16 {
		wg.Go(func() {
			for seq := range next {
				r, b, ok, err := a.pageMatches(ctx, PageKey(base, p.ID, seq))
				results[seq-1] = got{r, b, ok, err}
			}
		})
	}
	for seq := 1; seq <= p.Pages; seq++ {
		next <- seq
	}
	close(next)
	wg.Wait()
	var records, bytes int64
	for _, g := range results {
		if g.err != nil {
			return false, g.err
		}
		if !g.ok {
			return false, nil
		}
		records, bytes = records+g.records, bytes+g.bytes
	}
	return records == p.Records && bytes == p.Bytes, nil
}

func (a *Activities) pageMatches(ctx context.Context, key string) (records, size int64, ok bool, err error) {
	head, err := a.Store.Head(ctx, key)
	if errors.Is(err, storage.ErrNotFound) {
		return 0, 0, false, nil
	}
	if err != nil {
		return 0, 0, false, storageError(err)
	}
	body, err := a.Store.Get(ctx, key)
	if err != nil {
		return 0, 0, false, storageError(err)
	}
	n, err := strconv.ParseInt(head.Metadata[metaRecords], 10, 64)
	sum := sha256.Sum256(body)
	if err != nil || hex.EncodeToString(sum[:]) != head.Metadata[metaSHA256] {
		return 0, 0, false, nil
	}
	return n, int64(len(body)), true, nil
}
