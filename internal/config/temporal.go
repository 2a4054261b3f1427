// Package config loads the worker's and starter's settings from the environment.
package config

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"os"

	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
)

// Temporal is how to reach the cluster. The variable names are Temporal's own.
type Temporal struct {
	Address   string `envconfig:"TEMPORAL_ADDRESS" default:"127.0.0.1:7233" desc:"Temporal frontend host:port"`
	Namespace string `envconfig:"TEMPORAL_NAMESPACE" default:"default" desc:"Temporal namespace"`
	TaskQueue string `envconfig:"PAGEWISE_TASK_QUEUE" default:"exports" desc:"task queue the worker polls"`
	APIKey    string `envconfig:"TEMPORAL_API_KEY" desc:"API key (Temporal Cloud); implies TLS"`
	TLS       bool   `envconfig:"TEMPORAL_TLS" desc:"connect with TLS using the system roots"`
	TLSCert   string `envconfig:"TEMPORAL_TLS_CERT" desc:"client certificate file for mTLS"`
	TLSKey    string `envconfig:"TEMPORAL_TLS_KEY" desc:"client key file for mTLS"`
	TLSCA     string `envconfig:"TEMPORAL_TLS_CA" desc:"CA bundle that signs the server certificate"`
	TLSServer string `envconfig:"TEMPORAL_TLS_SERVER_NAME" desc:"server name to verify, when it differs from the address host"`
}

// ClientOptions builds SDK client options; the logger gets the SDK's own log lines.
func (t Temporal) ClientOptions(logger *slog.Logger) (client.Options, error) {
	opts := client.Options{HostPort: t.Address, Namespace: t.Namespace, Logger: tlog.NewStructuredLogger(logger)}
	tlsCfg, err := t.tlsConfig()
	if err != nil {
		return client.Options{}, err
	}
	opts.ConnectionOptions.TLS = tlsCfg
	if t.APIKey != "" {
		opts.Credentials = client.NewAPIKeyStaticCredentials(t.APIKey)
	}
	return opts, nil
}

func (t Temporal) tlsConfig() (*tls.Config, error) {
	if !t.TLS && t.APIKey == "" && t.TLSCert == "" && t.TLSCA == "" {
		return nil, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: t.TLSServer}
	if (t.TLSCert == "") != (t.TLSKey == "") {
		return nil, errors.New("TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY must be set together")
	}
	if t.TLSCert != "" {
		pair, err := tls.LoadX509KeyPair(t.TLSCert, t.TLSKey)
		if err != nil {
			return nil, fmt.Errorf("loading TEMPORAL_TLS_CERT/TEMPORAL_TLS_KEY: %w", err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	if t.TLSCA != "" {
		pem, err := os.ReadFile(t.TLSCA)
		if err != nil {
			return nil, fmt.Errorf("reading TEMPORAL_TLS_CA: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("TEMPORAL_TLS_CA %s holds no PEM certificate", t.TLSCA)
		}
		cfg.RootCAs = pool
	}
	return cfg, nil
}
