package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"time"

	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/storage"
)

// AccountFormat is the account manifest's format tag.
const AccountFormat = "pagewise.account/v1"

// AccountEntry is one resource of an account export: its export, or why it has none.
type AccountEntry struct {
	Resource   string `json:"resource"`
	WorkflowID string `json:"workflow_id"`
	// Status is pending, running, exported, kept (exported by an earlier run of the
	// account) or failed.
	Status string `json:"status"`
	// Incremental is set when the resource was limited to its own watermark.
	Incremental bool   `json:"incremental,omitempty"`
	Manifest    string `json:"manifest,omitempty"` // s3://bucket/key of the resource's manifest
	Records     int64  `json:"records"`
	Pages       int    `json:"pages"`
	// ErrorType and Error say why a failed resource stopped; neither quotes a record or
	// a response body, since no pagewise error does.
	ErrorType string `json:"error_type,omitempty"`
	Error     string `json:"error,omitempty"`
}

// AccountManifest is written last, beside the resources' folders: which resources the
// account export covered and where each one's manifest is.
type AccountManifest struct {
	Format     string         `json:"format"`
	ExportID   string         `json:"export_id"`
	WorkflowID string         `json:"workflow_id"`
	Provider   string         `json:"provider"`
	Credential string         `json:"credential,omitempty"`
	StartedAt  time.Time      `json:"started_at"`
	FinishedAt time.Time      `json:"finished_at"`
	Complete   bool           `json:"complete"` // every resource exported
	Records    int64          `json:"records"`
	Pages      int            `json:"pages"`
	Resources  []AccountEntry `json:"resources"`
}

// CatalogInput names the account whose resources are listed.
type CatalogInput struct {
	Provider   string `json:"provider"`
	Credential string `json:"credential,omitempty"`
}

// Catalog lists every resource the account holds, as the connector's catalog and its
// discovery through the API find them.
func (a *Activities) Catalog(ctx context.Context, in CatalogInput) (_ []provider.Resource, err error) {
	defer a.logFailure(ctx, "account could not be listed", &err, "provider", in.Provider, "credential", in.Credential)
	conn, err := a.Providers.Get(in.Provider, in.Credential)
	if err != nil {
		return nil, asInvalid(err)
	}
	cat, ok := conn.(provider.Cataloger)
	if !ok {
		return nil, invalid("provider %s cannot list an account's resources", in.Provider)
	}
	res, err := cat.Catalog(a.limited(ctx, "catalog")) // bodies within PAGEWISE_MAX_BODY and the budget
	if err != nil {
		return nil, toTemporal(err)
	}
	return res, nil
}

// ExportedInput asks which of an account's resource exports are already finished.
type ExportedInput struct {
	// Exports are the resources' exports, each with the workflow that owns its folder.
	Exports []OwnedExport `json:"exports"`
}

// OwnedExport is one resource's export and its workflow.
type OwnedExport struct {
	Export     Export `json:"export"`
	WorkflowID string `json:"workflow_id"`
}

// Exported reports, per resource, the manifest its folder holds when that manifest was
// published by the resource's own workflow: an export that finished.
func (a *Activities) Exported(ctx context.Context, in ExportedInput) (map[string]AccountEntry, error) {
	out := map[string]AccountEntry{}
	for _, oe := range in.Exports {
		key := a.base(oe.Export) + "/" + manifestName
		body, err := a.Store.Get(ctx, key)
		if errors.Is(err, storage.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, storageError(err)
		}
		var m Manifest
		if json.Unmarshal(body, &m) != nil || m.WorkflowID != oe.WorkflowID {
			continue // not this account's: export it again
		}
		out[oe.Export.Spec.Resource] = AccountEntry{Resource: oe.Export.Spec.Resource, WorkflowID: oe.WorkflowID,
			Status: "kept", Manifest: a.Store.Location(key), Records: m.Records, Pages: m.Pages}
	}
	return out, nil
}

// AccountManifestInput is the account manifest and where it goes.
type AccountManifestInput struct {
	Prefix       string          `json:"prefix"` // the account's folder below the store prefix
	Manifest     AccountManifest `json:"manifest"`
	ReplaceOwner bool            `json:"replace_owner,omitempty"`
}

// AccountManifestKey is where an account export's manifest lives: beside its resources'
// folders, named so that no resource folder can be called the same.
func AccountManifestKey(storePrefix, prefix, exportID string) string {
	return path.Join(storePrefix, prefix, exportID+accountSuffix)
}

const accountSuffix = ".account.json"

// WriteAccountManifest writes the account manifest, refusing to replace one another
// account workflow wrote unless told to.
func (a *Activities) WriteAccountManifest(ctx context.Context, in AccountManifestInput) (string, error) {
	m := in.Manifest
	if in.ReplaceOwner && a.RefuseReplace {
		return "", invalid("this worker refuses replace_owner (PAGEWISE_REFUSE_REPLACE_OWNER)")
	}
	if !ValidSegment(m.ExportID) || (in.Prefix != "" && !ValidPrefix(in.Prefix)) {
		return "", invalid("invalid account export_id %q or prefix %q", m.ExportID, in.Prefix)
	}
	key := AccountManifestKey(a.Prefix, in.Prefix, m.ExportID)
	if err := a.outsideExports(ctx, key); err != nil {
		return "", err
	}
	body, err := a.Store.Get(ctx, key)
	switch {
	case errors.Is(err, storage.ErrNotFound):
	case err != nil:
		return "", storageError(err)
	default:
		var old AccountManifest
		if json.Unmarshal(body, &old) == nil && old.WorkflowID != m.WorkflowID && !in.ReplaceOwner {
			return "", invalid("%s belongs to account export workflow %q; this workflow is %q: choose another export_id, or set replace_owner",
				a.Store.Location(key), old.WorkflowID, m.WorkflowID)
		}
	}
	m.Format = AccountFormat
	out, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return "", err
	}
	if err := a.Store.Put(ctx, key, out, "application/json", nil); err != nil {
		return "", storageError(fmt.Errorf("writing account manifest: %w", err))
	}
	return a.Store.Location(key), nil
}

// outsideExports refuses a key inside an export's folder: an account's prefix may not
// lead into another export.
func (a *Activities) outsideExports(ctx context.Context, key string) error {
	for dir := path.Dir(key); dir != "." && dir != "/" && dir != a.Prefix; dir = path.Dir(dir) {
		other, found, err := a.ownerAt(ctx, dir)
		if err != nil {
			return err
		}
		if found {
			return invalid("account manifest %s would be inside the folder of export %s (workflow %q): choose another prefix",
				a.Store.Location(key), a.Store.Location(dir), other)
		}
	}
	return nil
}
