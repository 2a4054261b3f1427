package current

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/pagewise/pagewise/internal/storage"
)

// Result is what Publish did to each table.
type Result struct {
	Current TableResult  `json:"current"`
	History *TableResult `json:"history,omitempty"`
	// PeakHeld is the most records the merge held in memory at once.
	PeakHeld int `json:"peak_held"`
}

// TableResult is one table's published generation.
type TableResult struct {
	Generation int    `json:"generation"`
	Manifest   string `json:"manifest"`
	Rows       int64  `json:"rows"`
	Live       int64  `json:"live"`
	Deleted    int64  `json:"deleted"`
	// Changes is nil when Already.
	Changes *Changes `json:"changes,omitempty"`
	// Already is true when the pointer named this run before Publish began: an earlier
	// attempt published it, and nothing was written.
	Already bool `json:"already,omitempty"`
}

// publishAttempts bounds how often a merge starts again after another run moved the
// pointer under it.
const publishAttempts = 5

// Publish merges the run's changes into the current table (and the history table), and
// publishes each as a new generation. It fails with ErrSuperseded, publishing nothing,
// when a run as new as this one has published the table; a retry after a failure
// writes the same objects under the same generation, or finds it published.
func (m *Merge) Publish(ctx context.Context) (Result, error) {
	if err := m.sort.finish(); err != nil {
		return Result{}, err
	}
	var res Result
	var err error
	if res.Current, err = m.publishTable(ctx, m.root, false); err != nil {
		return res, err
	}
	if m.opts.History {
		h, err := m.publishTable(ctx, HistoryRoot(m.root), true)
		if err != nil {
			return res, err
		}
		res.History = &h
	}
	res.PeakHeld = m.mem.peak
	return res, nil
}

// publishTable writes and publishes one table's next generation.
func (m *Merge) publishTable(ctx context.Context, root string, history bool) (TableResult, error) {
	for range publishAttempts {
		ptr, etag, found, err := readPointer(ctx, m.store, root)
		if err != nil {
			return TableResult{}, err
		}
		g := &gen{m: m, root: root, history: history}
		if found {
			if ptr.Run.ID == m.run.ID && ptr.Run.ExtractedAt.Equal(m.run.ExtractedAt) {
				return m.published(ctx, root, ptr)
			}
			if !m.run.ExtractedAt.After(ptr.Run.ExtractedAt) {
				return TableResult{}, fmt.Errorf("%w: %s names run %s of %s; run %s of %s is not newer",
					ErrSuperseded, m.store.Location(pointerKey(root)), ptr.Run.ID, ptr.Run.ExtractedAt.Format(timeFormat),
					m.run.ID, m.run.ExtractedAt.Format(timeFormat))
			}
			base, err := readGeneration(ctx, m.store, root, ptr.Generation)
			if err != nil {
				return TableResult{}, err
			}
			g.base = &base
		}
		if g.n, err = m.claim(ctx, root, ptr.Generation, history); err != nil {
			return TableResult{}, err
		}
		if err := g.write(ctx); err != nil {
			return TableResult{}, err
		}
		if err := g.verify(ctx); err != nil {
			return TableResult{}, err
		}
		next := Pointer{Format: Format, Table: g.name(), Generation: g.n, Manifest: g.manifestKey(), Glob: g.man.Glob,
			Run: m.run, Rows: g.man.Rows}
		if g.man.Parquet != nil {
			next.ParquetGlob = g.man.Parquet.Glob
		}
		body, _ := json.MarshalIndent(next, "", "  ")
		err = m.store.PutIf(ctx, pointerKey(root), append(body, '\n'), "application/json", etag)
		if errors.Is(err, storage.ErrPrecondition) {
			continue // another run published meanwhile: newer (refused next time round) or older (merge again on it)
		}
		if err != nil {
			return TableResult{}, err
		}
		changes := g.man.Changes
		res := TableResult{Generation: g.n, Manifest: g.manifestKey(), Rows: g.man.Rows, Live: g.man.Live,
			Deleted: g.man.Deleted, Changes: &changes}
		return res, Collect(ctx, m.store, root, m.opts.Keep)
	}
	return TableResult{}, fmt.Errorf("%s moved %d times while this run merged: other runs keep publishing",
		m.store.Location(pointerKey(root)), publishAttempts)
}

const timeFormat = "2006-01-02T15:04:05.999999999Z07:00"

// published is the result of a run the pointer names already; old generations are
// collected again, in case the attempt that published stopped before it had.
func (m *Merge) published(ctx context.Context, root string, ptr Pointer) (TableResult, error) {
	man, err := readGeneration(ctx, m.store, root, ptr.Generation)
	if err != nil {
		return TableResult{}, err
	}
	res := TableResult{Generation: ptr.Generation, Manifest: ptr.Manifest, Rows: man.Rows, Live: man.Live,
		Deleted: man.Deleted, Already: true}
	return res, Collect(ctx, m.store, root, m.opts.Keep)
}

// claimBody is claim.json: the merge a generation number belongs to. Merges that agree
// on all of it write the same objects, so an attempt that finds its own claim goes on
// in that generation; any other takes the next number.
type claimBody struct {
	Format  string  `json:"format"`
	Table   string  `json:"table"`
	Run     Run     `json:"run"`
	Base    int     `json:"base"`
	Changes string  `json:"changes"` // SHA-256 of the run's changes, in the order added
	Options Options `json:"options"`
}

// claim finds this merge's generation above base, or takes the next free number with a
// create-only write.
func (m *Merge) claim(ctx context.Context, root string, base int, history bool) (int, error) {
	table := TableCurrent
	if history {
		table = TableHistory
	}
	want, _ := json.Marshal(claimBody{Format: Format, Table: table, Run: m.run, Base: base, Changes: m.digest(), Options: m.opts})
	for range publishAttempts {
		highest := base
		var claimed []int
		err := m.store.Walk(ctx, root+"/"+genPrefix, func(objects []storage.Object) error {
			for _, o := range objects {
				n, ok := genOf(root, o.Key)
				if !ok {
					continue
				}
				highest = max(highest, n)
				if n > base && o.Key == genDir(root, n)+"/"+claimName {
					claimed = append(claimed, n)
				}
			}
			return nil
		})
		if err != nil {
			return 0, err
		}
		for _, n := range claimed {
			body, err := m.store.Get(ctx, genDir(root, n)+"/"+claimName)
			if err != nil && !errors.Is(err, storage.ErrNotFound) {
				return 0, err
			}
			if bytes.Equal(body, want) {
				return n, nil
			}
		}
		n := highest + 1
		err = m.store.PutIf(ctx, genDir(root, n)+"/"+claimName, want, "application/json", "")
		if errors.Is(err, storage.ErrPrecondition) {
			continue
		}
		return n, err
	}
	return 0, fmt.Errorf("could not claim a generation under %s: other merges took every number tried", m.store.Location(root))
}

// Collect deletes the generations of the table at root that are older than the
// published one and not among the keep it descends from (the pointer's, its base, its
// base's base, …). Generations above the published one are merges under way, and stay.
// Only keys under root/gen- are deleted.
func Collect(ctx context.Context, store storage.Store, root string, keep int) error {
	ptr, _, found, err := readPointer(ctx, store, root)
	if err != nil || !found {
		return err
	}
	kept := []int{ptr.Generation}
	for n := ptr.Generation; len(kept) < max(keep, 1); {
		man, err := readManifest(ctx, store, genDir(root, n)+"/"+manifestName)
		if errors.Is(err, storage.ErrNotFound) {
			break
		}
		if err != nil {
			return err
		}
		if man.Base <= 0 || man.Base >= n {
			break
		}
		n = man.Base
		kept = append(kept, n)
	}
	return store.Walk(ctx, root+"/"+genPrefix, func(objects []storage.Object) error {
		var doomed []string
		for _, o := range objects {
			n, ok := genOf(root, o.Key)
			if ok && n < ptr.Generation && !slices.Contains(kept, n) && strings.HasPrefix(o.Key, root+"/"+genPrefix) {
				doomed = append(doomed, o.Key)
			}
		}
		if len(doomed) == 0 {
			return nil
		}
		return store.Delete(ctx, doomed)
	})
}
