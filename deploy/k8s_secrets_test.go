package deploy

import (
	"path"
	"slices"
	"strings"
	"testing"
)

// providerTokens are the variables of each provider's default credential; each has a
// _FILE form the worker reads instead.
var providerTokens = []string{"CLIO_TOKEN", "ATTIO_TOKEN", "CLOSE_API_KEY", "CLEVER_TOKEN"}

// TestKubernetesTokensAreFiles: no Secret comes into the worker's environment whole
// (envFrom), every provider token is a file of a mounted Secret, named by its _FILE
// variable and a key of that Secret in secret.yaml, and only what has no file form is
// taken from a Secret into the environment, key by key.
func TestKubernetesTokensAreFiles(t *testing.T) {
	byKind, _ := loadK8s(t)
	dep := one(t, byKind, "Deployment")
	secrets := map[string]object{}
	for _, s := range byKind["Secret"] {
		secrets[s.Metadata.Name] = s
	}
	c := dep.Spec.Template.Spec.Containers[0]
	for _, ef := range c.EnvFrom {
		if ef.SecretRef != nil {
			t.Errorf("envFrom takes Secret %s whole into the environment: mount it and use *_FILE", ef.SecretRef.Name)
		}
	}
	// Where each Secret is mounted.
	mounted := map[string]string{} // mount path -> Secret name
	for _, v := range dep.Spec.Template.Spec.Volumes {
		if v.Secret == nil {
			continue
		}
		for _, m := range c.VolumeMounts {
			if m.Name == v.Name {
				mounted[m.MountPath] = v.Secret.SecretName
			}
		}
	}
	env := map[string]string{}
	for _, e := range c.Env {
		env[e.Name] = e.Value
		if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
			ref := e.ValueFrom.SecretKeyRef
			if slices.Contains(providerTokens, e.Name) || !ref.Optional {
				t.Errorf("env %s from Secret %s: provider tokens are files, and the rest optional", e.Name, ref.Name)
			}
			if _, ok := secrets[ref.Name].StringData[ref.Key]; !ok {
				t.Errorf("env %s names key %s of Secret %s, which secret.yaml does not have", e.Name, ref.Key, ref.Name)
			}
		}
	}
	for _, tok := range providerTokens {
		if _, set := env[tok]; set {
			t.Errorf("%s is set in the environment; want %s_FILE", tok, tok)
		}
		file := env[tok+"_FILE"]
		secret, ok := mounted[path.Dir(file)]
		if file == "" || !ok {
			t.Errorf("%s_FILE is %q, not a file of a mounted Secret (mounted: %v)", tok, file, mounted)
			continue
		}
		if _, ok := secrets[secret].StringData[path.Base(file)]; !ok {
			t.Errorf("%s_FILE reads key %s of Secret %s, which secret.yaml does not have", tok, path.Base(file), secret)
		}
	}
	for name, s := range secrets {
		for k := range s.StringData {
			if slices.Contains(providerTokens, k) || strings.HasSuffix(k, "_TOKEN") {
				t.Errorf("Secret %s holds %s as a variable name: provider tokens are files", name, k)
			}
		}
	}
}
