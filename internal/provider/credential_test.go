package provider

import (
	"strings"
	"testing"
)

// TestCredentialNamesMapOneToOne: every name ValidCredential accepts reads a variable of
// its own, and none reads another's *_FILE variable (a file's path) as its token. Names
// up to five characters over letters that spell "file", '_' and '-' are all tried.
func TestCredentialNamesMapOneToOne(t *testing.T) {
	for _, c := range []struct {
		name string
		ok   bool
	}{
		{"acme", true}, {"acme_x", true}, {"file_x", true}, {"filed", true},
		{"acme-x", false}, {"acme_file", false}, {"file", false}, {"x_file", false}, {"Acme", false}, {"_acme", false},
	} {
		if got := ValidCredential(c.name); got != c.ok {
			t.Errorf("ValidCredential(%q) = %v, want %v", c.name, got, c.ok)
		}
	}
	const alphabet = "file_-a"
	byVar := map[string]string{}
	var walk func(name string)
	walk = func(name string) {
		if ValidCredential(name) {
			v := CredentialVar("CLOSE_API_KEY", name)
			if other, ok := byVar[v]; ok {
				t.Fatalf("%q and %q both read %s", name, other, v)
			}
			byVar[v] = name
		}
		if len(name) < 5 {
			for _, r := range alphabet {
				walk(name + string(r))
			}
		}
	}
	walk("")
	for v, name := range byVar {
		if strings.HasSuffix(v, "_FILE") {
			t.Errorf("credential %q reads %s, a file variable", name, v)
		}
	}
	if len(byVar) < 100 {
		t.Fatalf("only %d names tried", len(byVar))
	}
}
