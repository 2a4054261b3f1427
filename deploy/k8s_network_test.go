package deploy

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

type networkPolicy struct {
	Kind string `yaml:"kind"`
	Spec struct {
		PodSelector struct {
			MatchLabels map[string]string `yaml:"matchLabels"`
		} `yaml:"podSelector"`
		PolicyTypes []string     `yaml:"policyTypes"`
		Ingress     []policyRule `yaml:"ingress"`
		Egress      []policyRule `yaml:"egress"`
	} `yaml:"spec"`
}

type policyRule struct {
	From  []peer `yaml:"from"`
	To    []peer `yaml:"to"`
	Ports []struct {
		Port     string `yaml:"port"`
		Protocol string `yaml:"protocol"`
	} `yaml:"ports"`
}

type peer struct {
	NamespaceSelector *struct {
		MatchLabels map[string]string `yaml:"matchLabels"`
	} `yaml:"namespaceSelector"`
	PodSelector *struct {
		MatchLabels map[string]string `yaml:"matchLabels"`
	} `yaml:"podSelector"`
	IPBlock *struct {
		CIDR   string   `yaml:"cidr"`
		Except []string `yaml:"except"`
	} `yaml:"ipBlock"`
}

func loadPolicies(t *testing.T) []networkPolicy {
	t.Helper()
	files, _ := filepath.Glob("k8s/*.yaml")
	var out []networkPolicy
	for _, f := range files {
		r, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(r)
		for {
			var p networkPolicy
			err := dec.Decode(&p)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if p.Kind == "NetworkPolicy" {
				out = append(out, p)
			}
		}
		_ = r.Close()
	}
	return out
}

// TestKubernetesNetworkPolicy: the worker pods' traffic is limited both ways. In: only
// the metrics port, only from Prometheus pods of a named namespace. Out: DNS, Temporal's
// frontend at the ConfigMap's port and namespace, and 443 to public addresses (providers,
// S3), never to private ranges or the node's metadata service; every rule names ports.
func TestKubernetesNetworkPolicy(t *testing.T) {
	byKind, _ := loadK8s(t)
	pols := loadPolicies(t)
	if len(pols) != 1 {
		t.Fatalf("want one NetworkPolicy, have %d", len(pols))
	}
	p, dep := pols[0], one(t, byKind, "Deployment")
	for k, v := range p.Spec.PodSelector.MatchLabels {
		if dep.Spec.Template.Metadata.Labels[k] != v {
			t.Errorf("the policy selects %s=%s, which the worker pods lack", k, v)
		}
	}
	if len(p.Spec.PodSelector.MatchLabels) == 0 || !slices.Contains(p.Spec.PolicyTypes, "Ingress") || !slices.Contains(p.Spec.PolicyTypes, "Egress") {
		t.Fatalf("the policy must select the worker pods and limit both Ingress and Egress: %+v", p.Spec)
	}

	metricsPort := dep.Spec.Template.Spec.Containers[0].Ports[0]
	if len(p.Spec.Ingress) != 1 {
		t.Fatalf("want one ingress rule (metrics from Prometheus), have %d", len(p.Spec.Ingress))
	}
	in := p.Spec.Ingress[0]
	if len(in.Ports) != 1 || (in.Ports[0].Port != metricsPort.Name && in.Ports[0].Port != strconv.Itoa(metricsPort.ContainerPort)) {
		t.Errorf("ingress ports %+v: want only the metrics port", in.Ports)
	}
	if len(in.From) == 0 {
		t.Error("ingress from anywhere: want Prometheus pods of a named namespace")
	}
	for _, f := range in.From {
		if f.NamespaceSelector == nil || len(f.NamespaceSelector.MatchLabels) == 0 || f.PodSelector == nil || len(f.PodSelector.MatchLabels) == 0 || f.IPBlock != nil {
			t.Errorf("ingress peer %+v: want a labelled namespace and labelled pods, together", f)
		}
	}

	cm := one(t, byKind, "ConfigMap")
	host, port, err := net.SplitHostPort(cm.Data["TEMPORAL_ADDRESS"])
	if err != nil {
		t.Fatalf("TEMPORAL_ADDRESS: %v", err)
	}
	temporalNS := ""
	if parts := strings.Split(host, "."); len(parts) > 2 && parts[2] == "svc" {
		temporalNS = parts[1]
	}
	var dns, temporal, https bool
	for _, r := range p.Spec.Egress {
		if len(r.Ports) == 0 || len(r.To) == 0 {
			t.Errorf("egress rule %+v opens every port or every address", r)
			continue
		}
		for _, pt := range r.Ports {
			switch pt.Port {
			case "53":
				dns = dns || selectsNamespace(r.To, "kube-system")
			case port:
				temporal = temporal || selectsNamespace(r.To, temporalNS)
			case "443":
				https = true
				checkPublicOnly(t, r.To)
			default:
				t.Errorf("egress to port %s: want only DNS, Temporal (%s) and 443", pt.Port, port)
			}
		}
	}
	if !dns || !temporal || !https {
		t.Errorf("egress: DNS to kube-system %v, Temporal to namespace %q port %s %v, 443 %v; want all", dns, temporalNS, port, temporal, https)
	}
}

func selectsNamespace(peers []peer, ns string) bool {
	for _, p := range peers {
		if p.NamespaceSelector != nil && p.NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"] == ns {
			return true
		}
	}
	return false
}

// checkPublicOnly fails unless every address block leaves out the private ranges, the
// link-local ones (the metadata service) and loopback.
func checkPublicOnly(t *testing.T, peers []peer) {
	t.Helper()
	inside := []string{"10.1.2.3", "172.20.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "127.0.0.1", "fd00::1", "fe80::1"}
	for _, p := range peers {
		if p.IPBlock == nil {
			t.Errorf("443 to %+v: want address blocks of public addresses", p)
			continue
		}
		block := netip.MustParsePrefix(p.IPBlock.CIDR)
		for _, a := range inside {
			addr := netip.MustParseAddr(a)
			if !block.Contains(addr) {
				continue
			}
			excluded := false
			for _, e := range p.IPBlock.Except {
				excluded = excluded || netip.MustParsePrefix(e).Contains(addr)
			}
			if !excluded {
				t.Errorf("443 to %s lets %s through", p.IPBlock.CIDR, a)
			}
		}
	}
}
