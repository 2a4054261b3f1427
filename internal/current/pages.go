package current

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/gzip"

	"github.com/pagewise/pagewise/internal/table"
)

// addPage adds one page's records, a line at a time.
func (m *Merge) addPage(ctx context.Context, p table.Page, id IDFunc) error {
	rc, err := p.Open(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = rc.Close() }()
	zr, err := gzip.NewReader(rc)
	if err != nil {
		return fmt.Errorf("%w: page %s is not gzip", ErrInvalid, p.Name)
	}
	r := bufio.NewReaderSize(zr, 64<<10)
	for n := 1; ; n++ {
		line, err := r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			var long []byte
			long, err = readLong(r, line)
			line = long
		}
		if errors.Is(err, io.EOF) && len(line) == 0 {
			return nil
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				return fmt.Errorf("%w: page %s: its last record has no newline", ErrInvalid, p.Name)
			}
			return fmt.Errorf("reading page %s: %w", p.Name, err)
		}
		rec := line[:len(line)-1]
		key, err := id(rec)
		if err != nil {
			return fmt.Errorf("page %s, record %d: %w", p.Name, n, err)
		}
		if err := m.upsert(key, rec, p.Name); err != nil {
			return fmt.Errorf("page %s, record %d: %w", p.Name, n, err)
		}
	}
}

// readLong reads the rest of a line longer than the reader's buffer.
func readLong(r *bufio.Reader, first []byte) ([]byte, error) {
	line := append([]byte(nil), first...)
	rest, err := r.ReadBytes('\n')
	return append(line, rest...), err
}
