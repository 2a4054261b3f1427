package deploy

import (
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// object is the part of a Kubernetes object these tests read.
type object struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name   string            `yaml:"name"`
		Labels map[string]string `yaml:"labels"`
	} `yaml:"metadata"`
	Data       map[string]string `yaml:"data"`
	StringData map[string]string `yaml:"stringData"`
	Resources  []string          `yaml:"resources"` // Kustomization
	Spec       struct {
		Selector       yaml.Node `yaml:"selector"`
		ScaleTargetRef struct {
			Kind string `yaml:"kind"`
			Name string `yaml:"name"`
		} `yaml:"scaleTargetRef"`
		Ports []struct {
			Name       string `yaml:"name"`
			TargetPort string `yaml:"targetPort"`
		} `yaml:"ports"`
		Template struct {
			Metadata struct {
				Labels map[string]string `yaml:"labels"`
			} `yaml:"metadata"`
			Spec podSpec `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

type podSpec struct {
	TerminationGracePeriodSeconds int `yaml:"terminationGracePeriodSeconds"`
	Containers                    []struct {
		Env []struct {
			Name      string `yaml:"name"`
			Value     string `yaml:"value"`
			ValueFrom *struct {
				SecretKeyRef *struct {
					Name     string `yaml:"name"`
					Key      string `yaml:"key"`
					Optional bool   `yaml:"optional"`
				} `yaml:"secretKeyRef"`
			} `yaml:"valueFrom"`
		} `yaml:"env"`
		EnvFrom []struct {
			ConfigMapRef *struct{ Name string } `yaml:"configMapRef"`
			SecretRef    *struct{ Name string } `yaml:"secretRef"`
		} `yaml:"envFrom"`
		Ports []struct {
			Name          string `yaml:"name"`
			ContainerPort int    `yaml:"containerPort"`
		} `yaml:"ports"`
		LivenessProbe  *probe `yaml:"livenessProbe"`
		ReadinessProbe *probe `yaml:"readinessProbe"`
		Resources      struct {
			Requests map[string]string `yaml:"requests"`
			Limits   map[string]string `yaml:"limits"`
		} `yaml:"resources"`
		SecurityContext struct {
			ReadOnlyRootFilesystem bool `yaml:"readOnlyRootFilesystem"`
		} `yaml:"securityContext"`
		VolumeMounts []struct {
			Name      string `yaml:"name"`
			MountPath string `yaml:"mountPath"`
		} `yaml:"volumeMounts"`
	} `yaml:"containers"`
	Volumes []struct {
		Name     string     `yaml:"name"`
		EmptyDir *yaml.Node `yaml:"emptyDir"`
		Secret   *struct {
			SecretName string `yaml:"secretName"`
		} `yaml:"secret"`
	} `yaml:"volumes"`
}

type probe struct {
	HTTPGet struct {
		Path string `yaml:"path"`
		Port string `yaml:"port"`
	} `yaml:"httpGet"`
}

// loadK8s parses every document of every YAML file in k8s/, by kind.
func loadK8s(t *testing.T) (map[string][]object, []string) {
	t.Helper()
	files, _ := filepath.Glob("k8s/*.yaml")
	if len(files) == 0 {
		t.Fatal("no k8s/*.yaml")
	}
	byKind := map[string][]object{}
	for _, f := range files {
		r, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(r)
		for {
			var o object
			err := dec.Decode(&o)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if o.APIVersion == "" || o.Kind == "" || (o.Kind != "Kustomization" && o.Metadata.Name == "") {
				t.Errorf("%s: a document lacks apiVersion, kind or metadata.name", f)
			}
			byKind[o.Kind] = append(byKind[o.Kind], o)
		}
		_ = r.Close()
	}
	return byKind, files
}

func one(t *testing.T, byKind map[string][]object, kind string) object {
	t.Helper()
	if len(byKind[kind]) != 1 {
		t.Fatalf("want one %s, have %d", kind, len(byKind[kind]))
	}
	return byKind[kind][0]
}

func TestKubernetes(t *testing.T) {
	byKind, files := loadK8s(t)

	// The kustomization lists every manifest, and only those.
	kust := one(t, byKind, "Kustomization")
	var manifests []string
	for _, f := range files {
		if b := filepath.Base(f); b != "kustomization.yaml" {
			manifests = append(manifests, b)
		}
	}
	listed := slices.Sorted(slices.Values(kust.Resources))
	if !slices.Equal(listed, manifests) {
		t.Errorf("kustomization resources %v, files %v", listed, manifests)
	}

	env := workerEnv(t)
	cm, dep := one(t, byKind, "ConfigMap"), one(t, byKind, "Deployment")
	checkNames(t, "ConfigMap "+cm.Metadata.Name, keys(cm.Data), env)
	for _, k := range keys(cm.Data) {
		if secretLike(k) {
			t.Errorf("%s belongs in the Secret, not the ConfigMap", k)
		}
	}

	pod := dep.Spec.Template.Spec
	if len(pod.Containers) != 1 {
		t.Fatalf("want one worker container, have %d", len(pod.Containers))
	}
	c := pod.Containers[0]
	var direct []string
	for _, e := range c.Env {
		direct = append(direct, e.Name)
	}
	checkNames(t, "Deployment env", direct, env)
	var refsCM bool
	for _, ef := range c.EnvFrom {
		refsCM = refsCM || ef.ConfigMapRef != nil && ef.ConfigMapRef.Name == cm.Metadata.Name
	}
	if !refsCM {
		t.Errorf("Deployment envFrom misses ConfigMap %s", cm.Metadata.Name)
	}

	// Termination outlasts the worker's own stop timeout and every heartbeat timeout.
	grace := time.Duration(pod.TerminationGracePeriodSeconds) * time.Second
	stop := duration(t, "PAGEWISE_STOP_TIMEOUT", cm.Data["PAGEWISE_STOP_TIMEOUT"])
	if hb := longestHeartbeat(t); grace <= stop || grace <= hb {
		t.Errorf("terminationGracePeriodSeconds %v must exceed PAGEWISE_STOP_TIMEOUT %v and the longest heartbeat timeout %v", grace, stop, hb)
	}

	// Probes and the metrics Service reach the port PAGEWISE_HTTP_ADDR listens on.
	_, portStr, err := net.SplitHostPort(cm.Data["PAGEWISE_HTTP_ADDR"])
	if err != nil {
		t.Fatalf("PAGEWISE_HTTP_ADDR: %v", err)
	}
	port, _ := strconv.Atoi(portStr)
	if len(c.Ports) != 1 || c.Ports[0].ContainerPort != port {
		t.Fatalf("container ports %+v, want %d", c.Ports, port)
	}
	named := c.Ports[0].Name
	if c.LivenessProbe == nil || c.LivenessProbe.HTTPGet.Path != "/healthz" || c.LivenessProbe.HTTPGet.Port != named {
		t.Errorf("liveness probe %+v: want /healthz on %s", c.LivenessProbe, named)
	}
	if c.ReadinessProbe == nil || c.ReadinessProbe.HTTPGet.Path != "/readyz" || c.ReadinessProbe.HTTPGet.Port != named {
		t.Errorf("readiness probe %+v: want /readyz on %s", c.ReadinessProbe, named)
	}
	if c.Resources.Requests["cpu"] == "" || c.Resources.Requests["memory"] == "" || c.Resources.Limits["memory"] == "" {
		t.Errorf("resources %+v: want cpu and memory requests and a memory limit", c.Resources)
	}
	// A read-only root still leaves /tmp writable: Upload spools the manifest's parts there.
	if c.SecurityContext.ReadOnlyRootFilesystem && !tmpIsEmptyDir(pod) {
		t.Errorf("readOnlyRootFilesystem without an emptyDir at /tmp: manifest parts would be held in memory")
	}
	svc := one(t, byKind, "Service")
	var sel map[string]string
	if err := svc.Spec.Selector.Decode(&sel); err != nil {
		t.Fatal(err)
	}
	for k, v := range sel {
		if dep.Spec.Template.Metadata.Labels[k] != v {
			t.Errorf("Service selector %s=%s does not match the worker pods", k, v)
		}
	}
	if len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].TargetPort != named {
		t.Errorf("Service ports %+v: want target %s", svc.Spec.Ports, named)
	}
	if hpa := byKind["HorizontalPodAutoscaler"]; len(hpa) == 1 {
		if ref := hpa[0].Spec.ScaleTargetRef; ref.Kind != "Deployment" || ref.Name != dep.Metadata.Name {
			t.Errorf("HPA scales %s %s, not the worker Deployment", ref.Kind, ref.Name)
		}
	}
}

func tmpIsEmptyDir(pod podSpec) bool {
	for _, m := range pod.Containers[0].VolumeMounts {
		if m.MountPath != "/tmp" {
			continue
		}
		for _, v := range pod.Volumes {
			if v.Name == m.Name && v.EmptyDir != nil {
				return true
			}
		}
	}
	return false
}
