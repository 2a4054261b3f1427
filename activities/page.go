package activities

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/pagewise/pagewise/internal/provider"
	"github.com/pagewise/pagewise/internal/tracing"
)

// Object metadata written with every page, read back by Finish to build the manifest.
const (
	metaRecords = "records"
	metaSHA256  = "sha256"
)

// PageInput asks for one page of one partition.
type PageInput struct {
	Resolved
	Partition int               `json:"partition"`
	Seq       int               `json:"seq"` // number this page gets if it holds records
	Position  provider.Position `json:"position"`
	// Fetched is set once the export has any page: a refused credential then makes it
	// wait for the credential rather than fail.
	Fetched bool `json:"fetched,omitempty"`
	// ExportPages and ExportRecords are what the whole export had written when the page was
	// asked for (pages other partitions have in flight aside), for the export's ceilings.
	ExportPages   int64 `json:"export_pages,omitempty"`
	ExportRecords int64 `json:"export_records,omitempty"`
}

// counted is in moved past page: the export's counts with page's records written.
func (in PageInput) counted(page provider.Page) PageInput {
	if len(page.Records) > 0 {
		in.ExportPages++
		in.ExportRecords += int64(len(page.Records))
	}
	return in
}

// PageResult is all the workflow learns about a page: where to go next and counts.
type PageResult struct {
	Next    provider.Position `json:"next"`
	Done    bool              `json:"done"`
	Records int               `json:"records"`
	Bytes   int64             `json:"bytes"`
	Key     string            `json:"key,omitempty"` // empty when the page had no records
	Total   int               `json:"total"`
	// Took is the page's fetch and write time; the workflow paces its tasks by it.
	Took time.Duration `json:"took,omitempty"`
}

// FetchPage fetches the page at in.Position and writes it to PageKey(seq). An empty page
// writes nothing. A retry after the write but before completion overwrites the same key.
func (a *Activities) FetchPage(ctx context.Context, in PageInput) (res PageResult, err error) {
	stop := keepAlive(ctx, in.Seq)
	defer stop()
	resource := in.Plan.Resource
	span := tracing.PageSpan(ctx)
	defer func() { span(in.Provider, resource, res.Records, err) }()
	defer a.logFailure(ctx, "page failed", &err, "export_id", in.ExportID, "provider", in.Provider,
		"resource", resource, "partition", in.Partition, "seq", in.Seq)
	conn, ctx, err := a.begin(ctx, in)
	if err != nil {
		return PageResult{}, err
	}
	// Counted once the provider and plan check out: only a real provider is a label.
	done := a.Metrics.PageStarted(in.Provider, resource)
	defer func() { done(err) }()
	started := time.Now()
	hold := a.budget().Hold() // the page's memory, from its first body to its write
	defer hold.Release()
	page, err := a.fetch(provider.WithHold(ctx, hold), conn, in)
	if err == nil {
		err = a.keep(ctx, hold, page)
	}
	if err != nil {
		return PageResult{}, err
	}
	res = PageResult{Next: page.Next, Done: page.Done, Records: len(page.Records), Total: page.Total}
	if len(page.Records) > 0 {
		written, err := a.write(ctx, in, page.Records)
		if err != nil {
			return PageResult{}, err
		}
		res.Key, res.Bytes = written.Key, written.Bytes
		a.indexWritten(ctx, in, &written, page.Done)
	} else if page.Done {
		a.indexWritten(ctx, in, nil, true)
	}
	res.Took = time.Since(started)
	a.logger().DebugContext(ctx, "page written", "export_id", in.ExportID, "provider", in.Provider,
		"resource", resource, "partition", in.Partition, "seq", in.Seq, "records", res.Records,
		"bytes", res.Bytes, "done", res.Done, "elapsed_ms", res.Took.Milliseconds())
	return res, nil
}

// begin checks what a page activity was handed and returns the connector, with the
// worker's bounds on provider answers (and its metrics) in ctx.
func (a *Activities) begin(ctx context.Context, in PageInput) (provider.Connector, context.Context, error) {
	conn, err := a.Providers.Get(in.Provider, in.Credential)
	if err != nil {
		return nil, ctx, asInvalid(err)
	}
	// The plan crossed workflow history: only one the connector itself accepts is sent.
	if _, err := conn.Validate(in.Plan.Spec); err != nil {
		return nil, ctx, asInvalid(err)
	}
	if err := a.checkOwner(ctx, in.Base, "", in.Claim); err != nil {
		return nil, ctx, err
	}
	if in.Fetched { // the API has served this export's resource (maybe on another worker)
		a.Metrics.Admit(in.Provider, in.Plan.Resource)
	}
	ctx = a.limited(ctx, in.Plan.Resource)
	if a.Metrics != nil {
		ctx = provider.WithObserver(ctx, a.Metrics.Response)
	}
	return conn, ctx, nil
}

// fetch gets the page at in.Position and checks that it moves forward.
func (a *Activities) fetch(ctx context.Context, conn provider.Connector, in PageInput) (provider.Page, error) {
	return a.fetchWith(ctx, conn.Fetch, in)
}

// fetchAhead is fetch for a stream. Where the connector is a provider.Prefetcher, the
// records' check comes back unrun, for the stream to run while the next page is fetched.
func (a *Activities) fetchAhead(ctx context.Context, conn provider.Connector, in PageInput) (provider.Page, func() error, error) {
	pf, ok := conn.(provider.Prefetcher)
	if !ok {
		page, err := a.fetch(ctx, conn, in)
		return page, nil, err
	}
	var check func() error
	page, err := a.fetchWith(ctx, func(ctx context.Context, req provider.Request) (provider.Page, error) {
		page, c, err := pf.FetchUnchecked(ctx, req)
		check = c
		return page, err
	}, in)
	if err != nil {
		return provider.Page{}, nil, err
	}
	return page, func() error {
		if err := check(); err != nil {
			return atPosition(toTemporal(err), in)
		}
		return nil
	}, nil
}

func (a *Activities) fetchWith(ctx context.Context, fetch func(context.Context, provider.Request) (provider.Page, error), in PageInput) (provider.Page, error) {
	resource := in.Plan.Resource
	req := provider.Request{Plan: in.Plan, Position: provider.StrideRequest(in.Position, in.Plan.PageSize)}
	page, err := fetch(ctx, req)
	if err != nil {
		var pe *provider.Error
		if errors.As(err, &pe) && pe.RateLimited {
			a.Metrics.RateLimited(in.Provider, resource, pe.RetryAfter)
		}
		if errors.As(err, &pe) && pe.Credentials && in.Fetched {
			a.Metrics.CredentialWait(in.Provider, resource, true)
		}
		return provider.Page{}, atPosition(toTemporal(err), in)
	}
	if l := page.Next.Limit; l > 0 && l != in.Position.Limit {
		a.logger().WarnContext(ctx, "the API refused the page size as too costly; the partition goes on with smaller pages",
			"export_id", in.ExportID, "provider", in.Provider, "resource", resource, "partition", in.Partition,
			"seq", in.Seq, "page_size", cmp.Or(in.Position.Limit, in.Plan.PageSize), "limit", l)
	}
	if in.Position.Stride > 1 {
		page = provider.NextInStride(req.Position, page, in.Plan.PageSize)
	}
	// Every page must move forward; an API that loops would otherwise never end.
	if page, err = provider.Advance(in.Provider, resource, in.Position, page); err != nil {
		return provider.Page{}, atPosition(toTemporal(err), in)
	}
	// One that moves forward for ever, with fresh records and links, meets the ceilings.
	after := in.counted(page)
	if err := a.Ceilings.Check(in.Provider, resource, in.Position, after.ExportPages, after.ExportRecords); err != nil {
		return provider.Page{}, atPosition(toTemporal(err), in)
	}
	if page.Next.Refused != in.Position.Refused {
		// Field names only: never a record or a token.
		a.logger().WarnContext(ctx, "fields refused by the API are left out of this page and every later one",
			"export_id", in.ExportID, "provider", in.Provider, "resource", resource, "partition", in.Partition,
			"seq", in.Seq, "fields_refused", page.Next.Refused)
	}
	a.Metrics.Admit(in.Provider, resource) // the API served it: a resource, not a made-up name
	a.Metrics.CredentialWait(in.Provider, resource, false)
	return page, nil
}

// write stores records as page in.Seq of in.Partition and returns what an index says
// of it.
func (a *Activities) write(ctx context.Context, in PageInput, records []json.RawMessage) (indexedPage, error) {
	body, sums, err := a.encode(records)
	if err != nil {
		return indexedPage{}, err
	}
	key := PageKey(in.Base, in.Partition, in.Seq)
	meta := map[string]string{metaRecords: strconv.Itoa(len(records)), metaSHA256: sums.sha256}
	if err := a.Store.Put(ctx, key, body, "application/x-ndjson", meta); err != nil {
		return indexedPage{}, storageError(err)
	}
	a.Metrics.PageWritten(in.Provider, in.Plan.Resource, len(records), int64(len(body)))
	return indexedPage{Key: key, Records: len(records), Bytes: int64(len(body)), SHA256: sums.sha256, MD5: sums.md5}, nil
}

// keepAlive heartbeats until stop is called, so a worker crash is noticed within the
// heartbeat timeout rather than the whole start-to-close timeout.
func keepAlive(ctx context.Context, seq int) (stop func()) {
	if !activity.IsActivity(ctx) {
		return func() {}
	}
	activity.RecordHeartbeat(ctx, seq)
	every := activity.GetInfo(ctx).HeartbeatTimeout / 3
	if every <= 0 {
		every = 5 * time.Second
	}
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				activity.RecordHeartbeat(ctx, seq)
			}
		}
	}()
	return func() { close(done) }
}

var (
	gzipPool sync.Pool
	// gzipOut holds a page's compressed bytes while they are written; the page keeps an
	// exact copy rather than a slice grown by doubling.
	gzipOut = sync.Pool{New: func() any { return new(bytes.Buffer) }}
)

// checksums are a page object's, in hex: SHA-256 for the manifest, MD5 to match the ETag
// a listing gives (see index.go).
type checksums struct{ sha256, md5 string }

// maxEncoders bounds the gzip writers at work at once, about 1 MB each: compression is
// CPU, so more than a few a core buys nothing, and their memory is part of the worker's
// fixed share (config.MemoryBase) rather than its page budget.
const maxEncoders = 16

var encoders = make(chan struct{}, maxEncoders)

// encode writes records as compact newline-delimited JSON, gzip-compressed, and returns
// the object's checksums.
func (a *Activities) encode(records []json.RawMessage) ([]byte, checksums, error) {
	encoders <- struct{}{}
	defer func() { <-encoders }()
	buf := gzipOut.Get().(*bytes.Buffer)
	defer gzipOut.Put(buf)
	buf.Reset()
	level := a.GzipLevel
	if level == 0 {
		level = gzip.DefaultCompression
	}
	zw, _ := gzipPool.Get().(*gzip.Writer)
	if zw == nil {
		var err error
		if zw, err = gzip.NewWriterLevel(buf, level); err != nil {
			return nil, checksums{}, err
		}
	} else {
		zw.Reset(buf)
	}
	defer gzipPool.Put(zw)
	var line bytes.Buffer
	for _, r := range records {
		line.Reset()
		if err := json.Compact(&line, r); err != nil {
			return nil, checksums{}, fmt.Errorf("record is not valid JSON: %w", err)
		}
		line.WriteByte('\n')
		if _, err := zw.Write(line.Bytes()); err != nil {
			return nil, checksums{}, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, checksums{}, err
	}
	sha, md := sha256.Sum256(buf.Bytes()), md5.Sum(buf.Bytes())
	return bytes.Clone(buf.Bytes()), checksums{sha256: hex.EncodeToString(sha[:]), md5: hex.EncodeToString(md[:])}, nil
}
