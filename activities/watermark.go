package activities

import (
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
}

// watermarkKey sits beside the export folders of one prefix, so it outlives any one
// export and any schedule.
func (a *Activities) watermarkKey(e Export) string {
	return path.Join(a.Prefix, e.Prefix, watermarkName)
}

func (a *Activities) readWatermark(ctx context.Context, e Export) (time.Time, error) {
	body, err := a.Store.Get(ctx, a.watermarkKey(e))
	if errors.Is(err, storage.ErrNotFound) {
		return time.Time{}, nil // first run: a full export
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("%s: reading watermark: %w", ErrStorage, err)
	}
	var w Watermark
	if err := json.Unmarshal(body, &w); err != nil {
		return time.Time{}, invalid("%s is not a watermark: %v", a.Store.Location(a.watermarkKey(e)), err)
	}
	return w.Watermark, nil
}

func (a *Activities) writeWatermark(ctx context.Context, e Export, at time.Time, manifestKey string) error {
	body, err := json.MarshalIndent(Watermark{Watermark: at.UTC(), Manifest: a.Store.Location(manifestKey)}, "", "  ")
	if err != nil {
		return err
	}
	if err := a.Store.Put(ctx, a.watermarkKey(e), body, "application/json", nil); err != nil {
		return fmt.Errorf("%s: writing watermark: %w", ErrStorage, err)
	}
	return nil
}
