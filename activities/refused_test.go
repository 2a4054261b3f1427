package activities

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/storage/storagetest"
)

// refusingConnector answers every page with one record, and reports that the API refused
// one more field than the position it was asked at.
type refusingConnector struct{}

func (refusingConnector) Name() string { return "fake" }
func (refusingConnector) Validate(s provider.Spec) (provider.Plan, error) {
	return provider.Plan{Spec: s, MaxParallel: 1}, nil
}
func (refusingConnector) Start(provider.Plan) provider.Position { return provider.Position{} }
func (refusingConnector) Fetch(_ context.Context, req provider.Request) (provider.Page, error) {
	next := req.Position
	next.Offset++
	if next.Refused == "" {
		next.Refused = "legal_aid_uk_contact"
	}
	rec := fmt.Sprintf(`{"id":%d,"name":"Ada Lovelace"}`, next.Offset)
	return provider.Page{Records: []json.RawMessage{json.RawMessage(rec)}, Next: next, Total: -1}, nil
}

// TestRefusedFieldsAreLogged: the page that meets a refusal logs the fields once, with the
// export's identity and never a record; a page whose position already carried them logs
// nothing.
func TestRefusedFieldsAreLogged(t *testing.T) {
	var buf bytes.Buffer
	a := &Activities{
		Providers: oneProvider{refusingConnector{}},
		Store:     storagetest.NewMemory(),
		Log:       slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo})),
	}
	claimed(t, a, "b", "")
	in := PageInput{Resolved: Resolved{ExportID: "e7", Provider: "fake", Plan: provider.Plan{Spec: provider.Spec{Resource: "contacts"}}, Base: "b"}, Seq: 1}
	res, err := a.FetchPage(context.Background(), in)
	if err != nil || res.Next.Refused != "legal_aid_uk_contact" {
		t.Fatalf("page %+v, err %v", res, err)
	}
	line := buf.String()
	for _, want := range []string{`"level":"WARN"`, `"export_id":"e7"`, `"resource":"contacts"`, `"fields_refused":"legal_aid_uk_contact"`} {
		if !strings.Contains(line, want) {
			t.Errorf("log misses %s: %s", want, line)
		}
	}
	if strings.Contains(line, "Ada") || strings.Count(line, "\n") != 1 {
		t.Errorf("want one line without record data: %s", line)
	}
	buf.Reset()
	in.Position, in.Seq = res.Next, 2
	if _, err := a.FetchPage(context.Background(), in); err != nil || buf.Len() != 0 {
		t.Fatalf("second page: err %v, log %s", err, buf.String())
	}
}

// TestFinishRecordsFieldsRefused: the manifest lists every field any partition's position
// says was refused, once, sorted; none, and it has no fields_refused at all.
func TestFinishRecordsFieldsRefused(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		refused [2]string
		want    []string
	}{
		{[2]string{"legal_aid_uk_contact", "kyc_field_values,legal_aid_uk_contact"}, []string{"kyc_field_values", "legal_aid_uk_contact"}},
		{[2]string{"", ""}, nil},
	} {
		store := storagetest.NewMemory()
		a := &Activities{Store: store}
		base := "clio/contacts/e"
		claimed(t, a, base, "")
		parts := []Partition{{ID: 0, Pages: 1, Records: 1, Done: true}, {ID: 1, Pages: 1, Records: 1, Done: true}}
		for i := range parts {
			parts[i].Position.Refused = tc.refused[i]
			body := []byte("{}\n")
			_ = store.Put(ctx, PageKey(base, i, 1), body, "application/gzip", map[string]string{metaRecords: "1", metaSHA256: "x"})
			parts[i].Bytes = int64(len(body))
		}
		res, err := a.Finish(ctx, FinishInput{Export: Export{ID: "e", Provider: "clio"}, Base: base, Partitions: parts})
		if err != nil {
			t.Fatal(err)
		}
		body, _ := store.Get(ctx, res.ManifestKey)
		var m Manifest
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(m.FieldsRefused, tc.want) || (tc.want == nil && bytes.Contains(body, []byte("fields_refused"))) {
			t.Fatalf("manifest fields_refused %v, want %v", m.FieldsRefused, tc.want)
		}
	}
}
