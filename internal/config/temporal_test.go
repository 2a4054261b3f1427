package config

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/pagewise/pagewise/internal/testkit/devstack"
)

func TestDefaultConnectionIsLoopback(t *testing.T) {
	isolate(t)
	tc, err := LoadTemporal()
	if err != nil {
		t.Fatal(err)
	}
	opts := tc.ClientOptions(slog.Default())
	if opts.HostPort != DefaultAddress || opts.Namespace != "default" || opts.ConnectionOptions.TLS != nil || opts.Credentials != nil {
		t.Fatalf("defaults: %s %s TLS %v credentials %v", opts.HostPort, opts.Namespace, opts.ConnectionOptions.TLS, opts.Credentials)
	}
}

const profiles = `
[profile.default]
address = "127.0.0.1:1"

[profile.staging]
address = "staging.example:7233"
namespace = "exports-staging"
api_key = "k"
`

// TestProfileSelectedByTEMPORAL_PROFILE: the file's profile applies, and a variable
// overrides the profile, as in the CLI.
func TestProfileSelectedByTEMPORAL_PROFILE(t *testing.T) {
	isolate(t)
	t.Setenv("TEMPORAL_CONFIG_FILE", writeFile(t, "temporal.toml", profiles))
	t.Setenv("TEMPORAL_PROFILE", "staging")
	tc, err := LoadTemporal()
	if err != nil {
		t.Fatal(err)
	}
	opts := tc.ClientOptions(slog.Default())
	if opts.HostPort != "staging.example:7233" || opts.Namespace != "exports-staging" || opts.Credentials == nil || opts.ConnectionOptions.TLS == nil {
		t.Fatalf("profile staging gave %s %s, credentials %v, TLS %v", opts.HostPort, opts.Namespace, opts.Credentials, opts.ConnectionOptions.TLS)
	}
	t.Setenv("TEMPORAL_NAMESPACE", "override")
	if tc, err = LoadTemporal(); err != nil || tc.Namespace != "override" {
		t.Fatalf("TEMPORAL_NAMESPACE over the profile: %q %v", tc.Namespace, err)
	}
	t.Setenv("TEMPORAL_PROFILE", "nope")
	if _, err := LoadTemporal(); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("unknown profile: err = %v", err)
	}
}

// TestRenamedTLSVariables: the old names still load the certificate, key and CA, each
// with a warning that names the new variable; a new name beats an old one.
func TestRenamedTLSVariables(t *testing.T) {
	isolate(t)
	cert, key := selfSigned(t)
	t.Setenv("TEMPORAL_TLS_CERT", cert)
	t.Setenv("TEMPORAL_TLS_KEY", key)
	t.Setenv("TEMPORAL_TLS_CA", cert)
	tc, err := LoadTemporal()
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	tls := tc.ClientOptions(slog.New(slog.NewTextHandler(&logs, nil))).ConnectionOptions.TLS
	if tls == nil || len(tls.Certificates) != 1 || tls.RootCAs == nil {
		t.Fatalf("old TLS variables not applied: %+v", tls)
	}
	for old, cur := range Renamed {
		if !strings.Contains(logs.String(), old+" is deprecated: set "+cur) {
			t.Errorf("no warning naming %s for %s in:\n%s", cur, old, logs.String())
		}
	}
	t.Setenv("TEMPORAL_TLS_SERVER_CA_CERT_PATH", filepath.Join(t.TempDir(), "missing.pem"))
	if _, err := LoadTemporal(); err == nil || !strings.Contains(err.Error(), "server CA") {
		t.Fatalf("TEMPORAL_TLS_SERVER_CA_CERT_PATH did not win over TEMPORAL_TLS_CA: %v", err)
	}
}

func TestCertWithoutKeyFails(t *testing.T) {
	isolate(t)
	cert, _ := selfSigned(t)
	t.Setenv("TEMPORAL_TLS_CLIENT_CERT_PATH", cert)
	if _, err := LoadTemporal(); err == nil || !strings.Contains(err.Error(), "key") {
		t.Fatalf("err = %v", err)
	}
}

// TestProfileConnects: a worker configured only by temporal.toml and TEMPORAL_PROFILE
// reaches a real dev server (the file's default profile points nowhere).
func TestProfileConnects(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Temporal dev server")
	}
	bin, err := devstack.FindTool("temporal")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	srv, err := devstack.StartTemporal(ctx, devstack.TemporalOptions{Bin: bin, Namespace: "pagewise-profile"})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = srv.Stop() }()
	isolate(t)
	t.Setenv("TEMPORAL_CONFIG_FILE", writeFile(t, "temporal.toml",
		profiles+"\n[profile.dev]\naddress = \""+srv.Addr+"\"\nnamespace = \"pagewise-profile\"\n"))
	t.Setenv("TEMPORAL_PROFILE", "dev")
	tc, err := LoadTemporal()
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.DialContext(ctx, tc.ClientOptions(slog.Default()))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// The dev server has only the profile's namespace (and Temporal's system one).
	ns, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: tc.Namespace})
	if err != nil || ns.GetNamespaceInfo().GetName() != "pagewise-profile" {
		t.Fatalf("namespace %q through profile dev: %v", tc.Namespace, err)
	}
}

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// selfSigned writes a certificate and its key as PEM files.
func selfSigned(t *testing.T) (certFile, keyFile string) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "pagewise-test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	certFile = writeFile(t, "cert.pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
	keyFile = writeFile(t, "key.pem", string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})))
	return certFile, keyFile
}
