package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/pagewise/pagewise/activities"
	"github.com/pagewise/pagewise/internal/table"
)

// tableFiles versions the WriteTables step before Finish, which an export asking for
// Parquet runs: a run that began before it replays without it.
const (
	tableFilesChange  = "table-files"
	tableFilesVersion = 1
)

// tablesHeartbeat is how long WriteTables may go without a heartbeat.
const tablesHeartbeat = 30 * time.Second

// writeTables derives the export's Parquet files from its pages, once they are all
// written, where its format asks for them; nil otherwise.
func (x *exporter) writeTables(ctx workflow.Context) (*activities.TablesResult, error) {
	if !table.WantsTable(x.export.Format) ||
		workflow.GetVersion(ctx, tableFilesChange, workflow.DefaultVersion, tableFilesVersion) < tableFilesVersion {
		return nil, nil
	}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		// Two passes over every page: hours for the largest exports, with a heartbeat a
		// page; a retry goes on after the files it finished. A dead worker's table is
		// taken up elsewhere after the heartbeat timeout, which outlasts a file's last part
		// and its footer going up.
		StartToCloseTimeout: 12 * time.Hour,
		HeartbeatTimeout:    tablesHeartbeat,
		RetryPolicy:         &temporal.RetryPolicy{MaximumInterval: time.Minute},
	})
	in := activities.TablesInput{Export: x.asked(), Base: x.st.Base, WorkflowID: x.wfID, Claim: x.st.Claim,
		StartedAt: x.st.StartedAt, Partitions: x.st.Partitions}
	var res activities.TablesResult
	if err := workflow.ExecuteActivity(actx, a.WriteTables, in).Get(ctx, &res); err != nil {
		return nil, err
	}
	return &res, nil
}
