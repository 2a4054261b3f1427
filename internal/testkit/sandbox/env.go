package sandbox

// WorkerEnv is the environment that points a pagewise worker at a sandbox served at url:
// every provider's base URL and this sandbox's default credentials, with pacing off so the
// sandbox's own Budget (when set) is the only limit. Later entries of the same key win.
func WorkerEnv(url string) []string {
	var env []string
	for _, p := range []string{"CLIO", "ATTIO", "CLOSE", "CLEVER"} {
		env = append(env, p+"_BASE_URL="+url, p+"_RATE=0")
	}
	return append(env,
		"CLIO_TOKEN="+DefaultToken(Clio),
		"ATTIO_TOKEN="+DefaultToken(Attio),
		"CLOSE_API_KEY="+DefaultToken(Close),
		"CLEVER_TOKEN="+DefaultToken(Clever),
	)
}
