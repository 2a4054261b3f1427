package activities

import "github.com/pagewise/pagewise/internal/provider"

// Resolved is an export as Prepare resolved it: the id it writes under, its provider, the
// validated plan and its folder. Every later activity input carries it and the workflow's
// state keeps it across continue-as-new. Its JSON names are the ones those inputs always
// had, so inputs and state recorded by earlier builds decode unchanged.
type Resolved struct {
	ExportID string `json:"export_id,omitempty"`
	Provider string `json:"provider,omitempty"`
	// Credential names the token every page is fetched with; empty is the default.
	Credential string        `json:"credential,omitempty"`
	Plan       provider.Plan `json:"plan"`
	Base       string        `json:"base"`
	// Claim is the id Prepare wrote in the folder's owner.json; activities write and
	// delete there only while it is still there. Empty in state from before claims.
	Claim string `json:"claim,omitempty"`
}
