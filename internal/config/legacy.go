package config

import (
	"fmt"
	"os"
)

// Renamed maps the TLS variables pagewise read before it used the SDK's envconfig to the
// names the SDK and the Temporal CLI read. The old names still work, with a warning.
var Renamed = map[string]string{
	"TEMPORAL_TLS_CERT": "TEMPORAL_TLS_CLIENT_CERT_PATH",
	"TEMPORAL_TLS_KEY":  "TEMPORAL_TLS_CLIENT_KEY_PATH",
	"TEMPORAL_TLS_CA":   "TEMPORAL_TLS_SERVER_CA_CERT_PATH",
}

// legacyEnv is the process environment as the SDK's envconfig sees it: an old name
// stands in for its new one when only the old is set.
type legacyEnv struct {
	warnings []string
}

func (e *legacyEnv) Environ() []string { return os.Environ() }

func (e *legacyEnv) LookupEnv(key string) (string, bool) {
	v, ok := os.LookupEnv(key)
	for old, cur := range Renamed {
		if cur != key {
			continue
		}
		oldV, oldOK := os.LookupEnv(old)
		switch {
		case oldOK && ok:
			e.warnings = append(e.warnings, fmt.Sprintf("%s is ignored: %s is set", old, cur))
		case oldOK:
			e.warnings = append(e.warnings, fmt.Sprintf("%s is deprecated: set %s instead", old, cur))
			return oldV, true
		}
	}
	return v, ok
}
