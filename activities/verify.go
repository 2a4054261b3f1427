package activities

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/pagewise/pagewise/internal/storage"
)

// Verify re-reads a manifest and walks the bucket listing beside it, both in key order:
// every listed page object is in the manifest once with the same size, and nothing else
// is under data/. Neither side is held whole, so memory does not grow with the export.
func (a *Activities) Verify(ctx context.Context, manifestKey string) error {
	return a.verify(ctx, manifestKey, strings.TrimSuffix(manifestKey, "/"+manifestName))
}

// verify checks the manifest at manifestKey against the export folder base.
func (a *Activities) verify(ctx context.Context, manifestKey, base string) error {
	body, err := a.Store.Open(ctx, manifestKey)
	if err != nil {
		return storageError(fmt.Errorf("re-reading manifest: %w", err))
	}
	defer func() { _ = body.Close() }()
	src := &readErr{r: body}
	invalid := func(err error) error {
		if src.err != nil { // the store failed mid-read: retry, the manifest may be fine
			return storageError(fmt.Errorf("re-reading manifest: %w", src.err))
		}
		return verificationFailed(manifestKey, fmt.Errorf("manifest is not valid JSON: %w", err))
	}
	r, err := newManifestReader(src)
	if err != nil {
		return invalid(err)
	}
	c := &manifestCursor{r: r}
	if err := c.advance(); err != nil {
		return invalid(err)
	}
	var bad error // the manifest stopped decoding mid-walk
	walked := a.Store.Walk(ctx, base+"/"+dataDir+"/", func(listed []storage.Object) error {
		for _, l := range listed {
			for c.ok && c.cur.Key < l.Key {
				c.problems.add("in manifest but missing from bucket: %s", c.cur.Key)
				if bad = c.advance(); bad != nil {
					return bad
				}
			}
			if !c.ok || c.cur.Key != l.Key {
				c.problems.add("in bucket but not in manifest: %s", l.Key)
				continue
			}
			if l.Size != c.cur.Bytes {
				c.problems.add("size of %s is %d, manifest says %d", l.Key, l.Size, c.cur.Bytes)
			}
			if bad = c.advance(); bad != nil {
				return bad
			}
		}
		return nil
	})
	switch {
	case bad != nil:
		return invalid(bad)
	case walked != nil:
		return storageError(walked)
	}
	for c.ok {
		c.problems.add("in manifest but missing from bucket: %s", c.cur.Key)
		if err := c.advance(); err != nil {
			return invalid(err)
		}
	}
	if h := r.head; h.Records != c.records || h.Pages != c.pages {
		c.problems.add("manifest totals (%d pages, %d records) disagree with its objects (%d, %d)",
			h.Pages, h.Records, c.pages, c.records)
	}
	if tm := r.head.Table; tm != nil && tm.Rows != r.head.Records {
		c.problems.add("manifest's table holds %d rows, its pages %d records", tm.Rows, r.head.Records)
	}
	if err := a.checkTable(ctx, base, r.head.Table, &c.problems); err != nil {
		return err
	}
	if err := c.problems.err(); err != nil {
		return verificationFailed(manifestKey, err)
	}
	return nil
}

// manifestCursor steps through a manifest's objects in key order, counting them and
// noting any listed twice or out of order.
type manifestCursor struct {
	r        *manifestReader
	cur      PageObject
	ok       bool
	pages    int
	records  int64
	problems problems
}

func (c *manifestCursor) advance() error {
	prev := c.cur.Key
	for {
		o, ok, err := c.r.next()
		if err != nil || !ok {
			c.ok = false
			return err
		}
		c.pages++
		c.records += int64(o.Records)
		switch {
		case c.pages > 1 && o.Key == prev:
			c.problems.add("listed twice in manifest: %s", o.Key)
		case c.pages > 1 && o.Key < prev:
			c.problems.add("out of key order in manifest: %s after %s", o.Key, prev)
		default:
			c.cur, c.ok = o, true
			return nil
		}
	}
}

// readErr remembers a read failure, which a JSON decoder reports as bad JSON.
type readErr struct {
	r   io.Reader
	err error
}

func (e *readErr) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		e.err = err
	}
	return n, err
}
