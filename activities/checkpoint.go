package activities

import (
	"context"
	"encoding/json"
	"time"
)

// Checkpoint records where a stopped export got to, next to where its manifest would be.
type Checkpoint struct {
	ExportID   string      `json:"export_id"`
	WorkflowID string      `json:"workflow_id"`
	Reason     string      `json:"reason"`
	Plan       any         `json:"plan"`
	Partitions []Partition `json:"partitions"`
	StoppedAt  time.Time   `json:"stopped_at"`
}

// CheckpointInput is a checkpoint and the export folder it belongs in.
type CheckpointInput struct {
	Base       string     `json:"base"`
	Checkpoint Checkpoint `json:"checkpoint"`
	// Claim is the export's claim on base (Resolved.Claim).
	Claim string `json:"claim,omitempty"`
}

// WriteCheckpoint stores checkpoint.json; it never claims completion (the manifest does).
func (a *Activities) WriteCheckpoint(ctx context.Context, in CheckpointInput) (_ string, err error) {
	// The checkpoint carries no provider or resource; the folder names them.
	defer a.logFailure(ctx, "checkpoint not written", &err, "export_id", in.Checkpoint.ExportID,
		"workflow_id", in.Checkpoint.WorkflowID, "folder", in.Base)
	if err := a.checkOwner(ctx, in.Base, in.Checkpoint.WorkflowID, in.Claim); err != nil {
		return "", err
	}
	in.Checkpoint.StoppedAt = time.Now().UTC()
	body, err := json.MarshalIndent(in.Checkpoint, "", "  ")
	if err != nil {
		return "", err
	}
	key := in.Base + "/" + checkpointName
	if err := a.Store.Put(ctx, key, body, "application/json", nil); err != nil {
		return "", storageError(err)
	}
	return key, nil
}
