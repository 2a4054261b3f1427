package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/pagewise/pagewise/internal/storage"
)

// ownerName marks an export's folder as one workflow's. Prepare writes it; every later
// activity checks it before writing, so no input can point one export at another's folder.
const (
	ownerName   = "owner.json"
	OwnerFormat = "pagewise.owner/v1"
)

// Owner is what owner.json holds.
type Owner struct {
	Format     string    `json:"format"`
	WorkflowID string    `json:"workflow_id"`
	RunID      string    `json:"run_id,omitempty"`
	ExportID   string    `json:"export_id"`
	Input      Export    `json:"input"` // what the owning workflow asked for
	ClaimedAt  time.Time `json:"claimed_at"`
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

// claim makes base this workflow's, or refuses with a non-retryable InvalidInput naming
// the other export: base inside another export's folder, base holding another export's
// folder, or base owned by another workflow unless replace is set.
func (a *Activities) claim(ctx context.Context, base string, e Export, workflowID string, replace bool) error {
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
	if err := a.refuseNested(ctx, base); err != nil {
		return err
	}
	other, found, err := a.ownerAt(ctx, base)
	switch {
	case err != nil:
		return err
	case found && other != workflowID && !replace:
		return invalid("folder %s belongs to export workflow %q; this workflow is %q: choose another export_id, or set replace_owner to replace that export",
			a.Store.Location(base), other, workflowID)
	}
	return nil
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

func (a *Activities) writeOwner(ctx context.Context, base string, o Owner) error {
	body, err := json.MarshalIndent(o, "", "  ")
	if err != nil {
		return err
	}
	if err := a.Store.Put(ctx, base+"/"+ownerName, body, "application/json", nil); err != nil {
		return storageError(err)
	}
	a.owned.remember(base, o.WorkflowID)
	return nil
}

// checkOwner is every writing activity's guard: base must be the folder Prepare claimed
// for this workflow. A verified pair is remembered, so a page costs no extra request.
func (a *Activities) checkOwner(ctx context.Context, base, said string) error {
	wf := workflowOf(ctx, said)
	if a.owned.has(base, wf) {
		return nil
	}
	other, found, err := a.ownerAt(ctx, base)
	switch {
	case err != nil:
		return err
	case !found:
		return invalid("folder %s was not prepared for this export (no %s): it can be written only by the workflow that prepared it", a.Store.Location(base), ownerName)
	case other != wf:
		return invalid("folder %s belongs to export workflow %q, not %q", a.Store.Location(base), other, wf)
	}
	a.owned.remember(base, wf)
	return nil
}

// ownedFolders remembers folders verified as a workflow's, up to a bound.
type ownedFolders struct {
	mu sync.Mutex
	m  map[string]string
}

const ownedMax = 10_000

func (o *ownedFolders) has(base, wf string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return wf != "" && o.m[base] == wf
}

func (o *ownedFolders) remember(base, wf string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.m == nil || len(o.m) >= ownedMax {
		o.m = map[string]string{}
	}
	o.m[base] = wf
}
