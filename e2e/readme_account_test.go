package e2e

import (
	"context"
	"strings"
	"time"

	"github.com/pagewise/pagewise/activities"
	"github.com/pagewise/pagewise/workflows"
)

// account: starter resources lists every resource the sandbox serves, starter export
// --all exports each exactly, and the Temporal CLI starts an account export of two.
func (r *readmeRun) account() {
	t := r.t
	cmds := r.blocks["account"]
	if len(cmds) != 3 {
		t.Fatalf("account block has %d commands, want 3", len(cmds))
	}
	out, _ := r.sh.run(cmds[0])
	for _, res := range r.sb.Resources("clever") {
		if !strings.HasPrefix(out, res+" ") && !strings.Contains(out, "\n"+res+" ") {
			t.Fatalf("starter resources does not list %s:\n%s", res, out)
		}
	}
	if _, errOut := r.sh.run(cmds[1]); !strings.Contains(errOut, "account manifest: s3://") {
		t.Fatalf("starter export --all --wait printed no account manifest:\n%s", errOut)
	}
	m := readAccount(t, activities.AccountManifestKey("", "clever", "clever-account"))
	if !m.Complete || len(m.Resources) != len(r.sb.Resources("clever")) {
		t.Fatalf("account manifest: complete %v, %d resources", m.Complete, len(m.Resources))
	}
	for _, e := range m.Resources {
		_, recs := readBack(t, strings.TrimPrefix(e.Manifest, "s3://"+bucket+"/"))
		assertExactly(t, r.sb, "clever", e.Resource, recs)
	}

	id, _ := r.startCommand(cmds[2])
	r.sh.run(cmds[2])
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var res workflows.AccountResult
	if err := stack.client.GetWorkflow(ctx, id, "").Get(ctx, &res); err != nil {
		t.Fatalf("%s: %v", id, err)
	}
	if len(res.Resources) != 2 || res.Resources[0].Resource != "users" || res.Resources[1].Resource != "schools" {
		t.Fatalf("the CLI's account export took %+v", res.Resources)
	}
	for _, e := range res.Resources {
		_, recs := readBack(t, strings.TrimPrefix(e.Manifest, "s3://"+bucket+"/"))
		assertExactly(t, r.sb, "clever", e.Resource, recs)
	}
}
