package current

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"

	"github.com/klauspost/compress/gzip"

	"github.com/pagewise/pagewise/internal/storage"
)

// genReader streams a generation's rows in order, a part at a time, and fails with
// ErrCorrupt where a part is not what the manifest says or rows are out of order. It
// holds one row ahead (peek), counted in mem.
type genReader struct {
	ctx     context.Context
	store   storage.Store
	parts   []Object
	history bool
	mem     *gauge
	part    int // the part being read; len(parts) after the last
	body    io.ReadCloser
	sum     hash.Hash
	n       int64
	br      *bufio.Reader
	rows    int64
	head    *Row
	last    *Row
	err     error
}

func newGenReader(ctx context.Context, store storage.Store, m Manifest, mem *gauge) *genReader {
	if mem == nil {
		mem = &gauge{}
	}
	return &genReader{ctx: ctx, store: store, parts: m.Parts, history: m.Table == TableHistory, mem: mem, part: -1}
}

// peek is the next row without taking it; nil after the last.
func (r *genReader) peek() (*Row, error) {
	if r.head == nil && r.err == nil {
		r.head, r.err = r.read()
		if r.head != nil {
			r.mem.take(1)
		}
	}
	return r.head, r.err
}

// next takes the next row (the caller counts it down); nil after the last.
func (r *genReader) next() (*Row, error) {
	row, err := r.peek()
	r.head = nil
	return row, err
}

func (r *genReader) close() {
	if r.head != nil {
		r.mem.give(1)
		r.head = nil
	}
	if r.body != nil {
		_ = r.body.Close()
		r.body = nil
	}
}

// read reads the next line of the parts, opening the next part at the end of one.
func (r *genReader) read() (*Row, error) {
	for {
		if r.br == nil {
			if err := r.open(); err != nil || r.br == nil {
				return nil, err
			}
		}
		line, err := r.br.ReadBytes('\n')
		if err == nil {
			row, err := parseRow(line[:len(line)-1], r.history)
			if err != nil {
				return nil, r.corrupt("%v", err)
			}
			r.rows++
			if err := r.inOrder(&row); err != nil {
				return nil, err
			}
			return &row, nil
		}
		if !errors.Is(err, io.EOF) {
			return nil, r.failed(err)
		}
		if len(line) > 0 {
			return nil, r.corrupt("its last row has no newline")
		}
		if err := r.endPart(); err != nil {
			return nil, err
		}
	}
}

// open starts the next part; r.br stays nil after the last.
func (r *genReader) open() error {
	r.part++
	if r.part >= len(r.parts) {
		return nil
	}
	p := r.parts[r.part]
	body, err := r.store.Open(r.ctx, p.Key)
	if err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return r.corrupt("it is missing")
		}
		return err
	}
	r.body, r.sum, r.n, r.rows = body, sha256.New(), 0, 0
	zr, err := gzip.NewReader(io.TeeReader(body, counted{r}))
	if err != nil {
		return r.failed(err)
	}
	r.br = bufio.NewReaderSize(zr, 64<<10)
	return nil
}

// endPart checks the part just read against the manifest.
func (r *genReader) endPart() error {
	if _, err := io.Copy(io.Discard, io.TeeReader(r.body, counted{r})); err != nil {
		return r.failed(err)
	}
	p := r.parts[r.part]
	_ = r.body.Close()
	r.body, r.br = nil, nil
	if sum := hex.EncodeToString(r.sum.Sum(nil)); r.n != p.Bytes || sum != p.SHA256 || r.rows != p.Rows {
		return r.corrupt("%d bytes, %d rows, sha256 %s; the manifest lists %d bytes, %d rows, sha256 %s",
			r.n, r.rows, sum, p.Bytes, p.Rows, p.SHA256)
	}
	return nil
}

// inOrder checks rows ascend: by id, and for history by when each version began.
func (r *genReader) inOrder(row *Row) error {
	if r.last != nil {
		c := strings.Compare(r.last.ID, row.ID)
		if c == 0 && r.history {
			c = r.last.ValidFrom.Compare(row.ValidFrom)
		}
		if c >= 0 {
			return r.corrupt("row %d is out of order", r.rows)
		}
	}
	r.last = &Row{ID: row.ID, ValidFrom: row.ValidFrom}
	return nil
}

// failed is a read that failed: the store's (retried by the caller) or the gzip stream's.
func (r *genReader) failed(err error) error {
	if errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader) || errors.Is(err, io.ErrUnexpectedEOF) {
		return r.corrupt("its gzip stream is broken")
	}
	return fmt.Errorf("reading %s: %w", r.store.Location(r.parts[r.part].Key), err)
}

func (r *genReader) corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrCorrupt, r.store.Location(r.parts[r.part].Key), fmt.Sprintf(format, args...))
}

// counted hashes and counts a part's stored bytes as they are read.
type counted struct{ r *genReader }

func (c counted) Write(p []byte) (int, error) {
	c.r.sum.Write(p)
	c.r.n += int64(len(p))
	return len(p), nil
}
