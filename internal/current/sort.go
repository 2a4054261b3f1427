package current

import (
	"bufio"
	"cmp"
	"container/heap"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/klauspost/compress/s2"
)

// kind is what a change says of its id. At equal times an upsert sorts before a delete,
// so the delete wins the tie.
type kind uint8

const (
	kindSeen   kind = iota // a sweep listed the id
	kindUpsert             // a run returned the record
	kindDelete             // a delete feed said it was deleted
)

// entry is one change of a run.
type entry struct {
	id     string
	at     int64 // unix nanoseconds: the run's start for an upsert, the delete's time
	kind   kind
	ord    uint64 // the change's place in the run's input: the later of two equals wins
	page   string
	record []byte
}

// compareEntries orders changes by id, then time, kind and input order: a total order,
// so the merge's output does not depend on how the changes were batched.
func compareEntries(a, b *entry) int {
	if c := strings.Compare(a.id, b.id); c != 0 {
		return c
	}
	if c := cmp.Compare(a.at, b.at); c != 0 {
		return c
	}
	if c := cmp.Compare(a.kind, b.kind); c != 0 {
		return c
	}
	return cmp.Compare(a.ord, b.ord)
}

// gauge counts the records a merge holds in memory and the most it held at once.
type gauge struct{ n, peak int }

func (g *gauge) take(n int) {
	g.n += n
	g.peak = max(g.peak, g.n)
}

func (g *gauge) give(n int) { g.n -= n }

// sorter sorts a run's changes in batches of at most limit records (or limitBytes of
// record text), each written to a file of its own, and merges the files.
type sorter struct {
	dir        string
	limit      int
	limitBytes int64
	fanIn      int
	batch      []*entry
	bytes      int64
	runs       []string
	made       int // files made, for their names
	ord        uint64
	mem        *gauge
	done       bool
}

func newSorter(tempDir string, limit int, limitBytes int64, mem *gauge) (*sorter, error) {
	dir, err := os.MkdirTemp(tempDir, "pagewise-current-")
	if err != nil {
		return nil, fmt.Errorf("a folder to sort changes in: %w", err)
	}
	// The merge holds one record from each open file, the previous generation's next
	// row, the change just read and the row being built: limit in all.
	return &sorter{dir: dir, limit: limit, limitBytes: limitBytes, fanIn: max(2, limit-3), mem: mem}, nil
}

func (s *sorter) add(e *entry) error {
	if s.done {
		return errors.New("changes added after the merge began")
	}
	e.ord = s.ord
	s.ord++
	s.mem.take(1)
	s.batch = append(s.batch, e)
	s.bytes += int64(len(e.record))
	if len(s.batch) >= s.limit || s.bytes >= s.limitBytes {
		return s.spill()
	}
	return nil
}

// spill sorts the batch and writes it to a file.
func (s *sorter) spill() error {
	slices.SortFunc(s.batch, compareEntries)
	i := 0
	err := s.write(func() (*entry, error) {
		if i == len(s.batch) {
			return nil, nil
		}
		e := s.batch[i]
		s.batch[i] = nil
		s.mem.give(1)
		i++
		return e, nil
	})
	s.batch, s.bytes = s.batch[:0], 0
	return err
}

// write makes a new run file of the entries next returns until nil.
func (s *sorter) write(next func() (*entry, error)) error {
	name := filepath.Join(s.dir, fmt.Sprintf("run-%06d", s.made))
	s.made++
	f, err := os.Create(name)
	if err != nil {
		return fmt.Errorf("spilling changes: %w", err)
	}
	defer func() { _ = f.Close() }()
	bw := bufio.NewWriterSize(f, 64<<10)
	zw := s2.NewWriter(bw)
	var buf []byte
	for {
		e, err := next()
		if err != nil {
			return err
		}
		if e == nil {
			break
		}
		buf = encodeEntry(buf[:0], e)
		if _, err := zw.Write(buf); err != nil {
			return fmt.Errorf("spilling changes: %w", err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("spilling changes: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("spilling changes: %w", err)
	}
	s.runs = append(s.runs, name)
	return f.Close()
}

// finish spills what is left and merges files until at most fanIn remain.
func (s *sorter) finish() error {
	if s.done {
		return nil
	}
	s.done = true
	if len(s.batch) > 0 {
		if err := s.spill(); err != nil {
			return err
		}
	}
	for len(s.runs) > s.fanIn {
		in := s.runs[:s.fanIn]
		m, err := s.openRuns(in)
		if err != nil {
			return err
		}
		s.runs = s.runs[s.fanIn:]
		err = s.write(func() (*entry, error) {
			e, err := m.next()
			if e != nil {
				s.mem.give(1)
			}
			return e, err
		})
		m.close()
		if err != nil {
			return err
		}
		for _, name := range in {
			_ = os.Remove(name)
		}
	}
	return nil
}

// open streams every change in order; finish first.
func (s *sorter) open() (*runMerge, error) { return s.openRuns(s.runs) }

func (s *sorter) close() { _ = os.RemoveAll(s.dir) }

func (s *sorter) openRuns(names []string) (*runMerge, error) {
	m := &runMerge{mem: s.mem}
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			m.close()
			return nil, fmt.Errorf("reading sorted changes: %w", err)
		}
		r := &runReader{f: f, r: bufio.NewReaderSize(s2.NewReader(f), 64<<10)}
		m.files = append(m.files, r)
		if err := r.load(s.mem); err != nil {
			m.close()
			return nil, err
		}
		if r.head != nil {
			m.heap = append(m.heap, r)
		}
	}
	heap.Init(&m.heap)
	return m, nil
}

// runMerge hands out the changes of several sorted files in order. Each file's next
// change is held (and counted); next's change is the caller's to count down.
type runMerge struct {
	files []*runReader
	heap  readerHeap
	mem   *gauge
}

// next is the least change left, or nil after the last.
func (m *runMerge) next() (*entry, error) {
	if len(m.heap) == 0 {
		return nil, nil
	}
	r := m.heap[0]
	e := r.head
	if err := r.load(m.mem); err != nil {
		return nil, err
	}
	if r.head == nil {
		heap.Pop(&m.heap)
	} else {
		heap.Fix(&m.heap, 0)
	}
	return e, nil
}

// peek is the least change left without taking it, or nil.
func (m *runMerge) peek() *entry {
	if len(m.heap) == 0 {
		return nil
	}
	return m.heap[0].head
}

func (m *runMerge) close() {
	for _, r := range m.files {
		if r.head != nil {
			m.mem.give(1)
			r.head = nil
		}
		_ = r.f.Close()
	}
	m.files, m.heap = nil, nil
}

type runReader struct {
	f    *os.File
	r    *bufio.Reader
	head *entry
}

// load reads the file's next change into head (nil at its end).
func (r *runReader) load(mem *gauge) error {
	e, err := decodeEntry(r.r)
	if errors.Is(err, io.EOF) {
		r.head = nil
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading sorted changes: %w", err)
	}
	mem.take(1)
	r.head = e
	return nil
}

type readerHeap []*runReader

func (h readerHeap) Len() int           { return len(h) }
func (h readerHeap) Less(i, j int) bool { return compareEntries(h[i].head, h[j].head) < 0 }
func (h readerHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *readerHeap) Push(x any)        { *h = append(*h, x.(*runReader)) }
func (h *readerHeap) Pop() any {
	old := *h
	r := old[len(old)-1]
	*h = old[:len(old)-1]
	return r
}

func encodeEntry(b []byte, e *entry) []byte {
	b = binary.AppendUvarint(b, uint64(len(e.id)))
	b = append(b, e.id...)
	b = binary.AppendVarint(b, e.at)
	b = append(b, byte(e.kind))
	b = binary.AppendUvarint(b, e.ord)
	b = binary.AppendUvarint(b, uint64(len(e.page)))
	b = append(b, e.page...)
	b = binary.AppendUvarint(b, uint64(len(e.record)))
	return append(b, e.record...)
}

// decodeEntry reads one entry; io.EOF only before its first byte.
func decodeEntry(r *bufio.Reader) (*entry, error) {
	n, err := binary.ReadUvarint(r)
	if err != nil {
		return nil, err
	}
	e := &entry{}
	id, err := readN(r, n)
	if err != nil {
		return nil, err
	}
	e.id = string(id)
	if e.at, err = binary.ReadVarint(r); err != nil {
		return nil, noEOF(err)
	}
	k, err := r.ReadByte()
	if err != nil {
		return nil, noEOF(err)
	}
	e.kind = kind(k)
	if e.ord, err = binary.ReadUvarint(r); err != nil {
		return nil, noEOF(err)
	}
	if n, err = binary.ReadUvarint(r); err != nil {
		return nil, noEOF(err)
	}
	page, err := readN(r, n)
	if err != nil {
		return nil, err
	}
	e.page = string(page)
	if n, err = binary.ReadUvarint(r); err != nil {
		return nil, noEOF(err)
	}
	if e.record, err = readN(r, n); err != nil {
		return nil, err
	}
	if len(e.record) == 0 {
		e.record = nil
	}
	return e, nil
}

// maxField bounds one field of a spilled change: a damaged file must not make us
// allocate without end.
const maxField = 1 << 30

func readN(r *bufio.Reader, n uint64) ([]byte, error) {
	if n > maxField {
		return nil, errors.New("a sorted change is damaged")
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, noEOF(err)
	}
	return b, nil
}

func noEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}
