package workflows

// PageQueue is the task queue of one provider's page activities below the export's own.
// Each provider gets its own queue so the Temporal server can rate-limit its dispatch
// (worker.Options.TaskQueueActivitiesPerSecond): that limit holds across every worker
// polling the queue, which is how several workers share one credential's budget.
func PageQueue(taskQueue, provider string) string {
	return taskQueue + ".pages." + provider
}
