package deploy

import (
	"strconv"
	"strings"
	"testing"

	"github.com/pagewise/pagewise/internal/config"
	"github.com/pagewise/pagewise/internal/provider"
)

// TestKubernetesMemoryLimitFollowsTheBudget: the worker container's memory limit is
// what the worker's formula asks for the ConfigMap's budget (config.Worker.MemoryLimit),
// and the budget lets a page of the ConfigMap's largest body through.
func TestKubernetesMemoryLimitFollowsTheBudget(t *testing.T) {
	byKind, _ := loadK8s(t)
	cm, dep := one(t, byKind, "ConfigMap"), one(t, byKind, "Deployment")
	var w config.Worker
	for name, into := range map[string]*config.ByteSize{"PAGEWISE_MEMORY_BUDGET": &w.MemoryBudget, "PAGEWISE_MAX_BODY": &w.MaxBody} {
		v, ok := cm.Data[name]
		if !ok {
			t.Fatalf("the ConfigMap does not set %s: the memory limit is sized from it", name)
		}
		if err := into.Decode(v); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	if int64(w.MemoryBudget) < provider.MinBudget(int64(w.MaxBody)) {
		t.Errorf("PAGEWISE_MEMORY_BUDGET %d is under 3 × PAGEWISE_MAX_BODY (%d): the worker would not start", w.MemoryBudget, w.MaxBody)
	}
	res := dep.Spec.Template.Spec.Containers[0].Resources
	limit := quantity(t, res.Limits["memory"])
	if want := w.MemoryLimit(); limit != want {
		t.Errorf("memory limit %s (%d bytes); the formula asks %d: PAGEWISE_MEMORY_BUDGET %d + %d + %d",
			res.Limits["memory"], limit, want, w.MemoryBudget, config.MemoryBase, config.MemoryHeadroom)
	}
	if req := quantity(t, res.Requests["memory"]); req != limit {
		t.Errorf("memory request %s, limit %s: request what the worker may use", res.Requests["memory"], res.Limits["memory"])
	}
}

// quantity reads a Kubernetes memory quantity: plain bytes, or a binary (Ki, Mi, Gi, Ti)
// or decimal (k, M, G, T) suffix.
func quantity(t *testing.T, q string) int64 {
	t.Helper()
	units := []struct {
		suffix string
		n      int64
	}{{"Ki", 1 << 10}, {"Mi", 1 << 20}, {"Gi", 1 << 30}, {"Ti", 1 << 40}, {"k", 1e3}, {"M", 1e6}, {"G", 1e9}, {"T", 1e12}}
	mult := int64(1)
	for _, u := range units {
		if num, ok := strings.CutSuffix(q, u.suffix); ok {
			q, mult = num, u.n
			break
		}
	}
	n, err := strconv.ParseInt(q, 10, 64)
	if err != nil || n <= 0 {
		t.Fatalf("memory quantity %q: want a whole number of bytes, Ki, Mi, Gi, …", q)
	}
	return n * mult
}
