package workflows

// PageQueue is the task queue of one credential's page activities below the export's own.
// Each credential gets its own queue so the Temporal server can rate-limit its dispatch
// (worker.Options.TaskQueueActivitiesPerSecond): that limit holds across every worker
// polling the queue, which is how several workers share one credential's budget. A
// provider's default credential keeps the queue name it always had.
func PageQueue(taskQueue, provider, credential string) string {
	if credential == "" {
		return taskQueue + ".pages." + provider
	}
	return taskQueue + ".pages." + provider + "." + credential
}
