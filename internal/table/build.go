package table

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
)

// File is one written table file.
type File struct {
	// Path is the file's place inside the export's table folder (Template).
	Path string `json:"path"`
	Rows int64  `json:"rows"`
	// Bytes and SHA256 are the file's, as stored.
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
	// Text is the record text (uncompressed JSON) the file holds, which sizes it.
	Text int64 `json:"text"`
	// FirstPage and Pages are the pages whose records the file holds, by index.
	FirstPage int `json:"first_page"`
	Pages     int `json:"pages"`
}

// PageCount is what one page held, as the first pass read it.
type PageCount struct {
	Records int
	Bytes   int64 // the page object's size
}

// Infer reads every page once and returns the table's schema, starting from seed (the
// previous run's, or nil) and the declared columns, and each page's record count for the
// caller to check against what it wrote. progress, if set, is called after each page.
func Infer(ctx context.Context, pages []Page, seed *Schema, declared Declared, raw bool, progress func(read int)) (*Schema, []PageCount, error) {
	in, err := NewInferrer(seed, declared)
	if err != nil {
		return nil, nil, err
	}
	r := readPages(ctx, pages, 0)
	defer r.close()
	counts := make([]PageCount, 0, len(pages))
	for {
		i, records, size, ok, err := r.read()
		if err != nil {
			return nil, nil, pageError(pages, i, err)
		}
		if !ok {
			break
		}
		for _, rec := range records {
			if err := in.Add(rec); err != nil {
				return nil, nil, pageError(pages, i, err)
			}
		}
		counts = append(counts, PageCount{Records: len(records), Bytes: size})
		if progress != nil {
			progress(i + 1)
		}
	}
	return in.Schema(raw), counts, nil
}

// ErrPage marks a page that could not be read as the table needs it: not gzip'd JSONL of
// objects, or not what the first pass read. Storage failures are returned as they are.
var ErrPage = errors.New("page unreadable")

func pageError(pages []Page, i int, err error) error {
	var se storeError
	if errors.As(err, &se) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	name := ""
	if i >= 0 && i < len(pages) {
		name = pages[i].Name
	}
	return fmt.Errorf("%w: %s: %v", ErrPage, name, err)
}

// storeError is a failure to fetch a page object: the store's, retried by the caller.
type storeError struct{ err error }

func (e storeError) Error() string { return e.err.Error() }
func (e storeError) Unwrap() error { return e.err }

// Sink stores one table file at path (inside the table folder): write streams its bytes,
// and the file exists once Sink returns nil, whole, or not at all.
type Sink func(ctx context.Context, path string, write func(io.Writer) error) error

// Job is the second pass: every page's records written as rows of files.
type Job struct {
	Pages  []Page
	Schema *Schema
	Spec   Spec
	Vars   Vars // the export: its id and start fill the metadata columns and the paths
	Sink   Sink
	// Done is the files an earlier attempt of the same job wrote: the job goes on after
	// them, and writes the same files it would have.
	Done []File
	// Progress, if set, is called after each page with the files finished so far.
	Progress func(done []File, pagesRead int)
}

// Write writes the table files and returns all of them, Done's included. A file ends at
// the page after which it holds Spec.FileMiB of record text; the same pages, schema and
// spec always give the same files, byte for byte.
func Write(ctx context.Context, job Job) ([]File, error) {
	tmpl, err := ParseTemplate(cmp.Or(job.Spec.Path, DefaultTemplate))
	if err != nil {
		return nil, err
	}
	p := newPlan(job.Schema)
	files := append([]File(nil), job.Done...)
	from := 0
	for _, f := range files {
		from = f.FirstPage + f.Pages
	}
	if len(files) > 0 && from >= len(job.Pages) {
		return files, nil
	}
	r := readPages(ctx, job.Pages, from)
	defer r.close()
	for len(files) == 0 || from < len(job.Pages) {
		path := tmpl.Render(job.Vars, len(files))
		var f File
		err := job.Sink(ctx, path, func(out io.Writer) error {
			var err error
			f, err = writeFile(ctx, out, p, job, r, from, files)
			return err
		})
		if err != nil {
			return nil, err
		}
		f.Path = path
		files = append(files, f)
		from += f.Pages
		if job.Progress != nil {
			job.Progress(files, from)
		}
	}
	return files, nil
}

// writeFile writes pages from first on until the file holds its share of record text.
func writeFile(ctx context.Context, out io.Writer, p *plan, job Job, r *pageReader, first int, done []File) (File, error) {
	fw := newFileWriter(out, p, job.Spec, job.Vars.ExportID, job.Vars.Start)
	n := 0
	for first+n < len(job.Pages) && fw.file.Text < job.Spec.fileBytes() {
		i, records, _, ok, err := r.read()
		if err != nil {
			return File{}, pageError(job.Pages, i, err)
		}
		if !ok {
			return File{}, ctx.Err()
		}
		if err := fw.writePage(records, job.Pages[i].Name); err != nil {
			return File{}, pageError(job.Pages, i, err)
		}
		n++
		if job.Progress != nil {
			job.Progress(done, first+n)
		}
	}
	f, err := fw.close()
	f.FirstPage, f.Pages = first, n
	return f, err
}
