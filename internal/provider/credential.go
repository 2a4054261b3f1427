package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// credentialName is what a credential may be called: it becomes part of an environment
// variable, a file name and a folder, and is never the secret itself. No '-': the variable
// is the name upper-cased, and only a name without one maps to one variable (acme-x and
// acme_x read one token and got two budgets).
var credentialName = regexp.MustCompile(`^[a-z0-9][a-z0-9_]{0,39}$`)

// ValidCredential reports whether name can name a credential. "file" and names ending in
// "_file" would read a *_FILE variable, a file's path, as the token (acme_file is
// CLOSE_API_KEY_ACME_FILE, the file of credential acme).
func ValidCredential(name string) bool {
	return name != "file" && !strings.HasSuffix(name, "_file") && credentialName.MatchString(name)
}

// CredentialRule says what ValidCredential accepts, for error messages.
const CredentialRule = "1 to 40 lower-case letters, digits or '_', not ending in _file"

// CredentialVar is the environment variable holding credential name's token: the
// provider's own variable with the name upper-cased after it (CLIO_TOKEN_ACME).
func CredentialVar(tokenVar, name string) string {
	return tokenVar + "_" + strings.ToUpper(name)
}

// NamedToken finds credential name of provider: CredentialVar in the environment (with
// _FILE for a file), else the file <dir>/<provider>/<name> (PAGEWISE_CREDENTIALS_DIR, a
// mounted Secret per provider, re-read when it changes). It returns the token or the file
// holding it, as a connector's Config takes them.
func NamedToken(provider, tokenVar, name, dir string, lookup func(string) (string, bool)) (value, file string, err error) {
	if !ValidCredential(name) {
		return "", "", Invalid(provider, "credential", "%q is not a credential name: use %s", name, CredentialRule)
	}
	v := CredentialVar(tokenVar, name)
	if tok, ok := lookup(v); ok && strings.TrimSpace(tok) != "" {
		return tok, "", nil
	}
	if f, ok := lookup(v + "_FILE"); ok && f != "" {
		return "", f, nil
	}
	if dir != "" {
		f := filepath.Join(dir, provider, name)
		if _, err := os.Stat(f); err == nil {
			return "", f, nil
		}
	}
	return "", "", &Error{Provider: provider, Message: fmt.Sprintf("credential %q is not configured on this worker: set %s (or %s_FILE), or put its token in $PAGEWISE_CREDENTIALS_DIR/%s/%s",
		name, v, v, provider, name)}
}

// NamedCredentials lists the credentials of provider the worker's environment holds,
// from the variables with tokenVar's prefix and the files in the credentials directory.
func NamedCredentials(provider, tokenVar, dir string, environ []string) []string {
	seen := map[string]bool{}
	for _, kv := range environ {
		k, _, _ := strings.Cut(kv, "=")
		rest, ok := strings.CutPrefix(k, tokenVar+"_")
		if !ok || rest == "FILE" {
			continue
		}
		rest = strings.TrimSuffix(rest, "_FILE")
		name := strings.ToLower(rest)
		if ValidCredential(name) {
			seen[name] = true
		}
	}
	if dir != "" {
		entries, _ := os.ReadDir(filepath.Join(dir, provider))
		for _, e := range entries {
			if !e.IsDir() && ValidCredential(e.Name()) {
				seen[e.Name()] = true
			}
		}
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
