package activities

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/pagewise/pagewise/internal/storage"
)

// ownerName marks an export's folder as one workflow's. Prepare writes it; every later
// activity reads it again before writing, so no input can point one export at another's
// folder, and an export whose folder changed hands stops.
const (
	ownerName   = "owner.json"
	OwnerFormat = "pagewise.owner/v1"
)

// Owner is what owner.json holds.
type Owner struct {
	Format     string `json:"format"`
	WorkflowID string `json:"workflow_id"`
	RunID      string `json:"run_id,omitempty"`
	// Claim is this claim's own random id. Activities check it before they write or
	// delete: a claim made since (replace_owner, a new run under the workflow id) stops
	// the export that made the earlier one.
	Claim     string    `json:"claim,omitempty"`
	ExportID  string    `json:"export_id"`
	Input     Export    `json:"input"` // what the owning workflow asked for
	ClaimedAt time.Time `json:"claimed_at"`
}

// markers are the files that make a folder an export's: its owner record, and for
// exports made before folders had owners, a manifest or a checkpoint.
var markers = []string{ownerName, manifestName, checkpointName}

// workflowOf is the workflow an activity runs for: Temporal's word when ctx is an
// activity's, else what the caller says (unit tests call activities directly).
func workflowOf(ctx context.Context, said string) string {
	if activity.IsActivity(ctx) {
		return activity.GetInfo(ctx).WorkflowExecution.ID
	}
	return said
}

func runOf(ctx context.Context) string {
	if activity.IsActivity(ctx) {
		return activity.GetInfo(ctx).WorkflowExecution.RunID
	}
	return ""
}

// ownerAt reads who owns the export folder dir: its owner.json, else the workflow named by
// the manifest or checkpoint an older pagewise left. found is false for a folder that is
// no export's.
func (a *Activities) ownerAt(ctx context.Context, dir string) (workflowID string, found bool, err error) {
	for _, name := range markers {
		id, ok, err := a.markerOwner(ctx, dir+"/"+name)
		if err != nil || ok {
			return id, ok, err
		}
	}
	return "", false, nil
}

// markerOwner reads the workflow id from one marker file, reading a manifest only as far
// as its head.
func (a *Activities) markerOwner(ctx context.Context, key string) (string, bool, error) {
	body, err := a.Store.Open(ctx, key)
	if errors.Is(err, storage.ErrNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, storageError(fmt.Errorf("reading %s: %w", key, err))
	}
	defer func() { _ = body.Close() }()
	if path.Base(key) == manifestName {
		r, err := newManifestReader(body)
		if err != nil {
			return "", true, nil // unreadable: an export's all the same, owner unknown
		}
		return r.head.WorkflowID, true, nil
	}
	var head struct {
		WorkflowID string `json:"workflow_id"`
	}
	_ = json.NewDecoder(body).Decode(&head)
	return head.WorkflowID, true, nil
}

// refuseForeign refuses base, with a non-retryable InvalidInput naming the other export,
// when it lies inside another export's folder or holds another export's folder.
func (a *Activities) refuseForeign(ctx context.Context, base string) error {
	for dir := path.Dir(base); dir != "." && dir != "/" && dir != a.Prefix; dir = path.Dir(dir) {
		other, found, err := a.ownerAt(ctx, dir)
		if err != nil {
			return err
		}
		if found {
			return invalid("folder %s is inside the folder of export %s (workflow %q): choose another prefix or export_id",
				a.Store.Location(base), a.Store.Location(dir), other)
		}
	}
	return a.refuseNested(ctx, base)
}

// claimAttempts bounds how often a claim looks again after owner.json changed under it.
const claimAttempts = 3

// claim makes base o's: it writes owner.json only while it is the one it read (or while
// there is none), so of two Prepares racing for a folder one wins and the other sees the
// winner. A folder another workflow owns is refused unless replace is set.
// claim writes o as base's owner. admit, if set, runs once the folder is found to be
// o's to take and before anything is written: a refusal there leaves the folder as it was.
func (a *Activities) claim(ctx context.Context, base string, o Owner, replace bool, admit func() error) error {
	key := base + "/" + ownerName
	body, err := json.MarshalIndent(o, "", "  ")
	if err != nil {
		return err
	}
	for attempt := 1; ; attempt++ {
		// The ETag is read before the record: if the record changes after, the write fails.
		etag, err := a.etagOf(ctx, key)
		if err != nil {
			return err
		}
		cur, found, err := a.ownerRecord(ctx, base)
		switch {
		case err != nil:
			return err
		case found && cur.WorkflowID != o.WorkflowID && !replace:
			return invalid("folder %s belongs to export workflow %q; this workflow is %q: choose another export_id, or set replace_owner to replace that export",
				a.Store.Location(base), cur.WorkflowID, o.WorkflowID)
		}
		if admit != nil && attempt == 1 {
			if err := admit(); err != nil {
				return err
			}
		}
		err = a.Store.PutIf(ctx, key, body, "application/json", etag)
		if errors.Is(err, storage.ErrUnconditional) {
			a.logger().WarnContext(ctx, "the bucket takes no conditional writes: this claim was checked, but two Prepares racing for the folder could both claim it",
				"folder", a.Store.Location(base), "error", err)
			err = a.Store.Put(ctx, key, body, "application/json", nil)
		}
		switch {
		case err == nil:
			return nil
		case !errors.Is(err, storage.ErrPrecondition):
			return storageError(err)
		case attempt == claimAttempts:
			return storageError(fmt.Errorf("%s kept changing while this export claimed the folder: %w", a.Store.Location(key), err))
		}
	}
}

// etagOf is key's ETag, "" when there is no such object.
func (a *Activities) etagOf(ctx context.Context, key string) (string, error) {
	head, err := a.Store.Head(ctx, key)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return "", nil
	case err != nil:
		return "", storageError(err)
	}
	return head.ETag, nil
}

// newClaim is a claim's id: random, so no other claim of the folder has it.
func newClaim() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// refuseNested fails when another export's folder lies below base: clearing base would
// delete it.
func (a *Activities) refuseNested(ctx context.Context, base string) error {
	var nested string
	err := a.Store.Walk(ctx, base+"/", func(objs []storage.Object) error {
		for _, o := range objs {
			if dir, ok := exportDirOf(o.Key); ok && dir != base {
				nested = dir
				return errStopWalk
			}
			// A series' watermark: clearing it would move another export's incremental start.
			if path.Base(o.Key) == watermarkName {
				nested = o.Key
				return errStopWalk
			}
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStopWalk) {
		return storageError(fmt.Errorf("listing %s: %w", base, err))
	}
	if nested != "" {
		return invalid("folder %s holds another export's folder or watermark, %s: choose another prefix or export_id",
			a.Store.Location(base), a.Store.Location(nested))
	}
	return nil
}

var errStopWalk = errors.New("stop walking")

// exportDirOf is the export folder a key belongs to, when the key is a marker or a page.
func exportDirOf(key string) (string, bool) {
	dir, name := path.Split(key)
	dir = strings.TrimSuffix(dir, "/")
	for _, m := range markers {
		if name == m {
			return dir, true
		}
	}
	if i := strings.LastIndex(key, "/"+dataDir+"/part-"); i > 0 {
		return key[:i], true
	}
	return "", false
}

// ownerRecord reads owner.json of base, else the workflow named by a legacy marker (no
// claim then).
func (a *Activities) ownerRecord(ctx context.Context, base string) (Owner, bool, error) {
	body, err := a.Store.Get(ctx, base+"/"+ownerName)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		wf, found, err := a.ownerAt(ctx, base)
		return Owner{WorkflowID: wf}, found, err
	case err != nil:
		return Owner{}, false, storageError(fmt.Errorf("reading %s: %w", base+"/"+ownerName, err))
	}
	var o Owner
	_ = json.Unmarshal(body, &o) // unreadable: an export's all the same, owner unknown
	return o, true, nil
}

// checkOwner is every writing activity's guard, run at each page, batch and step of Finish,
// since a folder can change hands while an export runs: base must still be this workflow's,
// and where the export knows its claim, still under that claim. A workflow whose folder
// was taken over (replace_owner, or a new run under its workflow id) stops there, before
// it writes into the new owner's folder or deletes from it.
func (a *Activities) checkOwner(ctx context.Context, base, said, claim string) error {
	wf := workflowOf(ctx, said)
	o, found, err := a.ownerRecord(ctx, base)
	switch {
	case err != nil:
		return err
	case !found:
		return invalid("folder %s was not prepared for this export (no %s): it can be written only by the workflow that prepared it", a.Store.Location(base), ownerName)
	case o.WorkflowID != wf:
		return invalid("folder %s belongs to export workflow %q, not %q", a.Store.Location(base), o.WorkflowID, wf)
	case claim != "" && o.Claim != claim:
		return invalid("folder %s was claimed again since this export prepared it (by a run of workflow %q at %s): this export stops without writing to it",
			a.Store.Location(base), o.WorkflowID, o.ClaimedAt.Format(time.RFC3339))
	}
	return nil
}
