package deploy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

type composeService struct {
	Image string `yaml:"image"`
	Build *struct {
		Context    string `yaml:"context"`
		Dockerfile string `yaml:"dockerfile"`
	} `yaml:"build"`
	Environment     map[string]string `yaml:"environment"`
	Ports           []string          `yaml:"ports"`
	StopGracePeriod string            `yaml:"stop_grace_period"`
	Deploy          struct {
		Replicas string `yaml:"replicas"`
	} `yaml:"deploy"`
}

func loadCompose(t *testing.T) map[string]composeService {
	t.Helper()
	raw, err := os.ReadFile("compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Services map[string]composeService `yaml:"services"`
	}
	// KnownFields is off: compose has many keys this test does not look at.
	if err := yaml.Unmarshal(raw, &f); err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	return f.Services
}

func TestCompose(t *testing.T) {
	services := loadCompose(t)
	for _, want := range []string{"postgresql", "temporal", "temporal-ui", "s3", "s3-bucket", "worker", "starter"} {
		if _, ok := services[want]; !ok {
			t.Errorf("compose.yaml has no %s service (has %v)", want, keys(services))
		}
	}
	w := services["worker"]
	if w.Build == nil || w.Build.Dockerfile != "deploy/Dockerfile" {
		t.Fatalf("worker is not built from deploy/Dockerfile: %+v", w.Build)
	}
	if _, err := os.Stat(filepath.Join(w.Build.Context, w.Build.Dockerfile)); err != nil {
		t.Errorf("worker build: %v", err)
	}
	if !strings.Contains(w.Deploy.Replicas, "WORKERS") {
		t.Errorf("worker replicas %q: want them set by WORKERS", w.Deploy.Replicas)
	}
	checkNames(t, "compose worker", keys(w.Environment), workerEnv(t))
	checkNames(t, "compose starter", keys(services["starter"].Environment), starterEnv(t))
	for _, v := range []string{"TEMPORAL_ADDRESS", "PAGEWISE_S3_ENDPOINT", "PAGEWISE_S3_BUCKET", "AWS_ACCESS_KEY_ID", "PAGEWISE_HTTP_ADDR"} {
		if w.Environment[v] == "" {
			t.Errorf("compose worker does not set %s", v)
		}
	}
	stop := duration(t, "PAGEWISE_STOP_TIMEOUT", w.Environment["PAGEWISE_STOP_TIMEOUT"])
	if grace := duration(t, "stop_grace_period", w.StopGracePeriod); grace <= stop {
		t.Errorf("stop_grace_period %v must exceed PAGEWISE_STOP_TIMEOUT %v", grace, stop)
	}
	// Published ports stay on the host's loopback.
	for name, s := range services {
		for _, p := range s.Ports {
			if !strings.HasPrefix(p, "127.0.0.1:") {
				t.Errorf("%s publishes %q beyond 127.0.0.1", name, p)
			}
		}
	}
	// The bucket the workers write to is the one the init job creates.
	if b := w.Environment["PAGEWISE_S3_BUCKET"]; !strings.Contains(strings.Join(composeCommand(t, "s3-bucket"), " "), "s3://"+b) {
		t.Errorf("s3-bucket does not create bucket %q", b)
	}
}

// composeCommand is a service's command as a list.
func composeCommand(t *testing.T, service string) []string {
	t.Helper()
	raw, _ := os.ReadFile("compose.yaml")
	var f struct {
		Services map[string]struct {
			Command []string `yaml:"command"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	return f.Services[service].Command
}
