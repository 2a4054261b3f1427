package table

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
)

// Page is one page object of an export. Pages are read in the order they are given, and
// their records in the order of their lines.
type Page struct {
	// Name is the page's key inside the export's folder; every row records it.
	Name string
	// Open reads the page object: gzip'd JSONL, one record a line.
	Open func(context.Context) (io.ReadCloser, error)
}

// ahead is how many page objects are fetched while one is read: reading them one at a
// time would wait a round trip to the store for each.
const ahead = 8

// pageReader hands out pages in order, the next ones already on their way.
type pageReader struct {
	ctx    context.Context
	cancel context.CancelFunc
	window chan chan fetched
	next   int // index of the page next returns
}

type fetched struct {
	body []byte // gzip'd
	err  error
}

// readPages starts fetching pages[from:]; the caller closes it.
func readPages(ctx context.Context, pages []Page, from int) *pageReader {
	ctx, cancel := context.WithCancel(ctx)
	r := &pageReader{ctx: ctx, cancel: cancel, window: make(chan chan fetched, ahead), next: from}
	go func() {
		defer close(r.window)
		for i := from; i < len(pages); i++ {
			ch := make(chan fetched, 1)
			select {
			case r.window <- ch:
			case <-ctx.Done():
				return
			}
			go func() {
				body, err := fetch(ctx, pages[i])
				ch <- fetched{body, err}
			}()
		}
	}()
	return r
}

func fetch(ctx context.Context, p Page) ([]byte, error) {
	rc, err := p.Open(ctx)
	if err != nil {
		return nil, storeError{err}
	}
	defer func() { _ = rc.Close() }()
	body, err := io.ReadAll(rc)
	if err != nil {
		return nil, storeError{fmt.Errorf("reading %s: %w", p.Name, err)}
	}
	return body, nil
}

// read returns the next page's index and records, one a line, with the page's size as
// stored; ok is false after the last.
func (r *pageReader) read() (i int, records [][]byte, size int64, ok bool, err error) {
	ch, open := <-r.window
	if !open {
		return 0, nil, 0, false, r.ctx.Err()
	}
	f := <-ch
	i = r.next
	if f.err != nil {
		return i, nil, 0, false, f.err
	}
	r.next++
	records, err = lines(f.body)
	return i, records, int64(len(f.body)), true, err
}

func (r *pageReader) close() { r.cancel() }

// lines unzips a page and splits its records.
func lines(body []byte) ([][]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("a page is not gzip: %w", err)
	}
	text, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("a page's gzip stream is broken: %w", err)
	}
	if len(text) == 0 {
		return nil, nil
	}
	if text[len(text)-1] != '\n' {
		return nil, fmt.Errorf("a page's last record has no newline: the page is cut short")
	}
	return bytes.Split(text[:len(text)-1], []byte("\n")), nil
}
