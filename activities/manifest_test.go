package activities

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pagewise/pagewise/internal/storage/storagetest"
)

func sampleManifest(n int) Manifest {
	m := Manifest{Format: ManifestFormat, ExportID: "e<&>1", Provider: "clio", Strategy: "cursor",
		StartedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Objects: []PageObject{}}
	for i := range n {
		m.Objects = append(m.Objects, PageObject{Key: PageKey("b", 0, i+1), Seq: i + 1, Records: 100, Bytes: 4000 + int64(i),
			SHA256: strings.Repeat("ab", 32)})
		m.Pages++
		m.Records += 100
	}
	return m
}

// TestManifestWriterMatchesMarshalIndent: streaming the objects gives the very bytes the
// whole manifest marshals to, so readers see one format however it was written.
func TestManifestWriterMatchesMarshalIndent(t *testing.T) {
	for _, n := range []int{0, 1, 3} {
		m := sampleManifest(n)
		want, err := json.MarshalIndent(m, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		w, err := newManifestWriter(&buf, m)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range m.Objects {
			w.add(o)
		}
		if err := w.close(); err != nil {
			t.Fatal(err)
		}
		if got := buf.String(); got != string(want) {
			t.Errorf("%d objects: streamed manifest differs\n got: %s\nwant: %s", n, got, want)
		}
	}
}

// TestManifestReaderStreamsObjectsInAnyFieldOrder: fields before and after the objects
// array land in head; objects come one at a time in the manifest's order.
func TestManifestReaderStreamsObjectsInAnyFieldOrder(t *testing.T) {
	src := `{"format":"f","objects":[{"key":"k1","records":2},{"key":"k2","records":3}],"pages":2,"records":5}`
	r, err := newManifestReader(strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for {
		o, ok, err := r.next()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		keys = append(keys, o.Key)
	}
	if strings.Join(keys, ",") != "k1,k2" || r.head.Format != "f" || r.head.Pages != 2 || r.head.Records != 5 {
		t.Fatalf("read keys %v, head %+v", keys, r.head)
	}
	for _, bad := range []string{`[]`, `{"objects":{"key":"k"}}`, `{"objects":[{"key":1}]}`, `{"pages":2`} {
		r, err := newManifestReader(strings.NewReader(bad))
		for err == nil {
			var ok bool
			if _, ok, err = r.next(); !ok && err == nil {
				t.Errorf("%s read as a valid manifest", bad)
				break
			}
		}
	}
}

// TestFinishAndVerifyAcrossListingPages: the memory store lists 10 keys a page, so 35
// pages in two partitions make Finish and Verify carry their checks from page to page.
func TestFinishAndVerifyAcrossListingPages(t *testing.T) {
	ctx := context.Background()
	store := storagetest.NewMemory()
	a := &Activities{Store: store}
	base := "fake/items/many"
	claimed(t, a, base, "")
	parts := []Partition{{ID: 0, Pages: 20}, {ID: 1, Pages: 15}}
	for i, p := range parts {
		for seq := 1; seq <= p.Pages; seq++ {
			body := []byte(fmt.Sprintf("page %d/%d", p.ID, seq))
			_ = store.Put(ctx, PageKey(base, p.ID, seq), body, "application/gzip",
				map[string]string{metaRecords: strconv.Itoa(seq), metaSHA256: "x"})
			parts[i].Records += int64(seq)
			parts[i].Bytes += int64(len(body))
		}
	}
	res, err := a.Finish(ctx, FinishInput{Export: Export{ID: "many", Provider: "fake"}, Base: base, Partitions: parts})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := store.Get(ctx, res.ManifestKey)
	var m Manifest
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Objects) != 35 || m.Pages != 35 || m.Records != parts[0].Records+parts[1].Records {
		t.Fatalf("manifest has %d objects, %d pages, %d records", len(m.Objects), m.Pages, m.Records)
	}
	for i, o := range m.Objects[1:] {
		if o.Key <= m.Objects[i].Key {
			t.Fatalf("manifest objects out of key order at %d: %s after %s", i+1, o.Key, m.Objects[i].Key)
		}
	}

	_ = store.Delete(ctx, []string{PageKey(base, 0, 17)})
	_ = store.Put(ctx, PageKey(base, 1, 16), []byte("stray"), "", map[string]string{metaRecords: "1", metaSHA256: "x"})
	err = a.Verify(ctx, res.ManifestKey)
	assertVerificationFailed(t, err, "in manifest but missing from bucket: "+PageKey(base, 0, 17))
	assertVerificationFailed(t, err, "in bucket but not in manifest: "+PageKey(base, 1, 16))

	// Finish itself refuses the bucket as it now is, naming the gap and the counts.
	_, err = a.Finish(ctx, FinishInput{Export: Export{ID: "many", Provider: "fake"}, Base: base, Partitions: parts})
	assertVerificationFailed(t, err, "partition 0: page 18 where page 17 was expected")
	assertVerificationFailed(t, err, "partition 1: bucket holds 16 pages")
}

// countingWriter counts what reaches it.
type countingWriter struct{ n int }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += len(p); return len(p), nil }

// TestManifestWriterStreams: objects reach the writer as they are added, a buffer's worth
// at a time, so a manifest of any size is never held whole.
func TestManifestWriterStreams(t *testing.T) {
	m := sampleManifest(2_000)
	var out countingWriter
	w, err := newManifestWriter(&out, m)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range m.Objects {
		w.add(o)
	}
	sent := out.n
	if err := w.close(); err != nil {
		t.Fatal(err)
	}
	if sent == 0 || out.n-sent > 64<<10 {
		t.Fatalf("%d of %d bytes were written before close: the manifest was held, not streamed", sent, out.n)
	}
}
