package workflows

import "github.com/pagewise/pagewise/activities"

// ValidateAccountInput rejects an account input that can never be exported, naming the
// field. The fields passed on to each resource's export are checked as ExportInput's.
func ValidateAccountInput(in AccountInput) error {
	switch {
	case in.All && len(in.Resources) > 0:
		return invalidInput("invalid input: set all or resources, not both")
	case !in.All && len(in.Resources) == 0:
		return invalidInput("invalid input: set all (every resource the account holds) or resources (the ones to export)")
	case len(in.Resources) > MaxAccountResources:
		return invalidInput("invalid resources: %d named, at most %d", len(in.Resources), MaxAccountResources)
	case in.Concurrency < 0 || in.Concurrency > MaxAccountConcurrency:
		return invalidInput("invalid concurrency %d: use 1 to %d (0 means %d)", in.Concurrency, MaxAccountConcurrency, DefaultAccountConcurrency)
	}
	seen := map[string]bool{}
	for _, r := range in.Resources {
		if seen[r] {
			return invalidInput("invalid resources: %q is named twice", clip(r))
		}
		seen[r] = true
		if !activities.ValidSegment(r) {
			return invalidInput("invalid resource %q: a resource name of letters, digits, '.', '_', '=' or '-'", clip(r))
		}
	}
	// One resource's export input stands for all of them: the same fields, checked once.
	return ValidateInput(ExportInput{ExportID: in.ExportID, Provider: in.Provider, Credential: in.Credential,
		Resource: "any", Prefix: in.Prefix, Parallelism: in.Parallelism, PagesPerRun: in.PagesPerRun,
		HeartbeatSeconds: in.HeartbeatSeconds, Reconcile: in.Reconcile, Since: in.Since,
		CredentialDeadline: in.CredentialDeadline, OutageDeadline: in.OutageDeadline,
		Format: in.Format, TablePath: in.TablePath, TableCompression: in.TableCompression, TableFileMiB: in.TableFileMiB,
		TableRaw: in.TableRaw})
}
