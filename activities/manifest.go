package activities

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// ManifestFormat names the manifest's schema; bump it on incompatible changes.
const ManifestFormat = "pagewise.manifest/v1"

// Manifest is written last: its presence means the export completed and was verified.
type Manifest struct {
	Format     string `json:"format"`
	ExportID   string `json:"export_id"`
	WorkflowID string `json:"workflow_id"`
	Provider   string `json:"provider"`
	Input      Export `json:"input"` // what was asked; never holds credentials
	Strategy   string `json:"strategy"`
	Location   string `json:"location"` // s3://bucket/base
	// PagesGlob matches every page object and nothing else; PageFormat says what each
	// holds. Objects lists them one by one.
	PagesGlob  string    `json:"pages_glob"`
	PageFormat string    `json:"page_format"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	Since      time.Time `json:"since,omitzero"`     // lower bound of an incremental export
	Watermark  time.Time `json:"watermark,omitzero"` // where the next incremental export starts
	Pages      int       `json:"pages"`
	Records    int64     `json:"records"`
	Bytes      int64     `json:"bytes"`
	// ProviderCount is the provider's own count at the start and end beside Records,
	// where its API reports one.
	ProviderCount *ProviderCount `json:"provider_count,omitempty"`
	// Resumed says the export continued a stopped run: which, and how much it kept.
	Resumed *Resumed `json:"resumed,omitempty"`
	// FieldsRefused are fields the API refused for this account (a 400 naming them), left
	// out of every page from the first that met the refusal on, as the connector reported
	// them in its positions.
	FieldsRefused []string `json:"fields_refused,omitempty"`
	// Table is the export's Parquet files and schema, when its format asks for them.
	Table *TableManifest `json:"table,omitempty"`
	// Objects lists every page object, in key order.
	Objects []PageObject `json:"objects"`
}

// PageFormat is what every page object holds.
const PageFormat = "gzip-compressed newline-delimited JSON: one record a line, exactly as the API returned it"

// pagesGlob matches every page object of the export at location.
func pagesGlob(location string) string { return location + "/" + dataDir + "/part-*/page-*" + pageExt }

// PageObject is one page file: gzip-compressed newline-delimited JSON records.
type PageObject struct {
	Key       string `json:"key"`
	Partition int    `json:"partition"`
	Seq       int    `json:"seq"`
	Records   int    `json:"records"`
	Bytes     int64  `json:"bytes"`
	SHA256    string `json:"sha256"`
}

// manifestWriter writes a manifest one page object at a time, byte for byte what
// json.MarshalIndent(m, "", "  ") would, to a stream: neither a slice of every object nor
// the text is ever held whole.
type manifestWriter struct {
	out  *bufio.Writer
	enc  *json.Encoder
	line bytes.Buffer // one object's text, before its trailing newline is cut
	n    int
}

// newManifestWriter writes every field of head; Objects follow with add.
func newManifestWriter(out io.Writer, head Manifest) (*manifestWriter, error) {
	head.Objects = []PageObject{}
	b, err := json.MarshalIndent(head, "", "  ")
	if err != nil {
		return nil, err
	}
	b, ok := bytes.CutSuffix(b, []byte("[]\n}"))
	if !ok {
		return nil, errors.New("manifest: objects must be its last field")
	}
	w := &manifestWriter{out: bufio.NewWriterSize(out, 64<<10)}
	w.enc = json.NewEncoder(&w.line)
	w.enc.SetIndent("    ", "  ")
	_, _ = w.out.Write(b) // a bufio.Writer keeps its first error for Flush to return
	_ = w.out.WriteByte('[')
	return w, nil
}

func (w *manifestWriter) add(o PageObject) {
	if w.n > 0 {
		_ = w.out.WriteByte(',')
	}
	_, _ = w.out.WriteString("\n    ")
	w.line.Reset()
	_ = w.enc.Encode(o) // a PageObject always encodes; bytes.Buffer never fails
	_, _ = w.out.Write(w.line.Bytes()[:w.line.Len()-1])
	w.n++
}

// close ends the manifest and returns the first error writing it met.
func (w *manifestWriter) close() error {
	if w.n > 0 {
		_, _ = w.out.WriteString("\n  ")
	}
	_, _ = w.out.WriteString("]\n}")
	return w.out.Flush()
}

// manifestReader decodes a manifest's objects one at a time; every other field it keeps
// in head. Objects are read in the order the manifest lists them.
type manifestReader struct {
	dec       *json.Decoder
	head      Manifest // all but Objects
	inObjects bool
}

func newManifestReader(r io.Reader) (*manifestReader, error) {
	mr := &manifestReader{dec: json.NewDecoder(r)}
	if tok, err := mr.dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("manifest is not a JSON object (%v)", err)
	}
	return mr, mr.toObjects()
}

// next returns the next page object, or false once they (and the manifest) are read.
func (r *manifestReader) next() (PageObject, bool, error) {
	if !r.inObjects {
		return PageObject{}, false, nil
	}
	if r.dec.More() {
		var o PageObject
		if err := r.dec.Decode(&o); err != nil {
			return PageObject{}, false, err
		}
		return o, true, nil
	}
	if _, err := r.dec.Token(); err != nil { // ]
		return PageObject{}, false, err
	}
	r.inObjects = false
	return PageObject{}, false, r.toObjects()
}

// toObjects reads fields into head until the objects array opens or the manifest ends.
func (r *manifestReader) toObjects() error {
	for r.dec.More() {
		tok, err := r.dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		if key == "objects" {
			switch tok, err := r.dec.Token(); {
			case err != nil:
				return err
			case tok == json.Delim('['):
				r.inObjects = true
				return nil
			case tok != nil:
				return fmt.Errorf("manifest objects is %v, not an array", tok)
			}
			continue // null
		}
		var value json.RawMessage
		if err := r.dec.Decode(&value); err != nil {
			return err
		}
		// A one-field object decodes through head's own tags.
		one, err := json.Marshal(map[string]json.RawMessage{key: value})
		if err != nil {
			return err
		}
		if err := json.Unmarshal(one, &r.head); err != nil {
			return err
		}
	}
	_, err := r.dec.Token() // }
	return err
}
