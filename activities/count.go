package activities

import (
	"context"

	"github.com/pagewise/pagewise/internal/provider"
)

// CountInput asks the provider for its own record count for an export's query.
type CountInput struct {
	Resolved
}

// CountResult is the provider's count; Known is false where its reference documents none.
type CountResult struct {
	Total int  `json:"total"`
	Known bool `json:"known"`
}

// counter is what a connector implements where its API reports a total for a query
// (Clio meta.records, Close total_results and search counts).
type counter interface {
	Count(ctx context.Context, plan provider.Plan) (int, bool, error)
}

// Count asks the provider how many records the export's query matches: an independent
// count the manifest records beside the exported one.
func (a *Activities) Count(ctx context.Context, in CountInput) (_ CountResult, err error) {
	defer a.logFailure(ctx, "provider count failed", &err, "export_id", in.ExportID, "provider", in.Provider, "resource", in.Plan.Resource)
	conn, err := a.Providers.Get(in.Provider, in.Credential)
	if err != nil {
		return CountResult{}, asInvalid(err)
	}
	if _, err := conn.Validate(in.Plan.Spec); err != nil {
		return CountResult{}, asInvalid(err)
	}
	c, ok := conn.(counter)
	if !ok {
		return CountResult{}, nil
	}
	n, known, err := c.Count(a.limited(ctx, in.Plan.Resource), in.Plan)
	if err != nil {
		return CountResult{}, toTemporal(err)
	}
	return CountResult{Total: n, Known: known}, nil
}

// ProviderCount is the reconciliation the manifest records: the provider's own count when
// the export started and when it ended, beside what was exported.
type ProviderCount struct {
	AtStart  int   `json:"at_start"`
	AtEnd    int   `json:"at_end"`
	Exported int64 `json:"exported"`
	// Within is true when Exported lies between the two counts, inclusive.
	Within bool `json:"within"`
}

func reconcile(start, end CountResult, exported int64) *ProviderCount {
	if !start.Known || !end.Known {
		return nil
	}
	lo, hi := int64(min(start.Total, end.Total)), int64(max(start.Total, end.Total))
	return &ProviderCount{AtStart: start.Total, AtEnd: end.Total, Exported: exported, Within: exported >= lo && exported <= hi}
}
