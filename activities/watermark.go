package activities

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"time"

	"github.com/pagewise/pagewise/internal/storage"
)

const watermarkName = "watermark.json"

// Watermark is what watermark.json holds: where the next incremental export starts.
type Watermark struct {
	Watermark time.Time `json:"watermark"`
	Manifest  string    `json:"manifest"` // the successful export that set it
	// Provider and Resource name the series the watermark belongs to: exports of another
	// resource may not share its prefix.
	Provider string `json:"provider,omitempty"`
	Resource string `json:"resource,omitempty"`
	// Credential is the account the series exports: another account's watermark would
	// make an incremental run skip records it never exported.
	Credential string `json:"credential,omitempty"`
	// Schema is the key of the series' latest table schema (schema.json): the next
	// export's table starts from its columns.
	Schema string `json:"schema,omitempty"`
}

// watermarkKey sits beside the export folders of one prefix, so it outlives any one
// export and any schedule.
func (a *Activities) watermarkKey(e Export) string {
	return path.Join(a.Prefix, e.Prefix, watermarkName)
}

func (a *Activities) readWatermark(ctx context.Context, e Export) (time.Time, error) {
	w, _, err := a.loadWatermark(ctx, e)
	return w.Watermark, err
}

// loadWatermark reads the prefix's watermark.json; found is false before the first
// successful export.
func (a *Activities) loadWatermark(ctx context.Context, e Export) (w Watermark, found bool, err error) {
	body, err := a.Store.Get(ctx, a.watermarkKey(e))
	if errors.Is(err, storage.ErrNotFound) {
		return Watermark{}, false, nil // first run: a full export
	}
	if err != nil {
		return Watermark{}, false, storageError(fmt.Errorf("reading watermark: %w", err))
	}
	if err := json.Unmarshal(body, &w); err != nil {
		return Watermark{}, true, invalid("%s is not a watermark: %v", a.Store.Location(a.watermarkKey(e)), err)
	}
	return w, true, nil
}

// checkSeries refuses a prefix whose watermark belongs to another provider or resource:
// this export would move that series' incremental start.
func (a *Activities) checkSeries(ctx context.Context, e Export) error {
	w, found, err := a.loadWatermark(ctx, e)
	if err != nil || !found || w.Provider == "" {
		return err
	}
	if w.Credential != e.Credential {
		return invalid("prefix %s holds the watermark of %s %s exports with credential %q: give exports with credential %q a prefix of their own",
			a.Store.Location(path.Join(a.Prefix, e.Prefix)), w.Provider, w.Resource, w.Credential, e.Credential)
	}
	if w.Provider != e.Provider || w.Resource != e.Spec.Resource {
		return invalid("prefix %s holds the watermark of %s %s exports: give %s %s exports a prefix of their own",
			a.Store.Location(path.Join(a.Prefix, e.Prefix)), w.Provider, w.Resource, e.Provider, e.Spec.Resource)
	}
	return nil
}

// writeWatermark records a successful export; schemaKey is its table's schema, or empty
// to keep the schema the watermark named before (an export without a table).
func (a *Activities) writeWatermark(ctx context.Context, e Export, at time.Time, manifestKey, schemaKey string) error {
	if schemaKey == "" {
		prev, _, err := a.loadWatermark(ctx, e)
		if err != nil {
			return err
		}
		schemaKey = prev.Schema
	}
	body, err := json.MarshalIndent(Watermark{Watermark: at.UTC(), Manifest: a.Store.Location(manifestKey),
		Provider: e.Provider, Resource: e.Spec.Resource, Credential: e.Credential, Schema: schemaKey}, "", "  ")
	if err != nil {
		return err
	}
	if err := a.Store.Put(ctx, a.watermarkKey(e), body, "application/json", nil); err != nil {
		return storageError(fmt.Errorf("writing watermark: %w", err))
	}
	return nil
}

// narrowing names what left records out of e, or whole records, as the series at its prefix
// sees them; "" when e exported every record, whole, since the series' watermark. Only such
// an export may advance the series: an incremental run after it starts from its watermark
// and would never ask for what it left out. A since the series itself gave (watermark.json,
// a schedule's last run) narrows nothing; one given in the input does where it is later
// than the series' watermark, or there is none.
func (a *Activities) narrowing(ctx context.Context, e Export, sinceGiven bool) (string, error) {
	s := e.Spec
	switch {
	case len(s.Filters) > 0:
		return "filters", nil
	case narrowsQuery(s.Query):
		return "query", nil
	case len(s.Fields) > 0:
		return "fields", nil
	case s.Since.IsZero() || !sinceGiven:
		return "", nil
	}
	w, found, err := a.loadWatermark(ctx, e)
	if err != nil {
		return "", err
	}
	if !found || s.Since.After(w.Watermark) {
		return "since", nil // records between the series' watermark and since were skipped
	}
	return "", nil
}

// narrowsQuery is false for no query body and for an empty one, which filters nothing.
func narrowsQuery(q json.RawMessage) bool {
	q = bytes.TrimSpace(q)
	return len(q) > 0 && !bytes.Equal(q, []byte("null")) && !bytes.Equal(q, []byte("{}"))
}
