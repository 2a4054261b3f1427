package activities

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
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
// json.MarshalIndent(m, "", "  ") would, without a slice of every object.
type manifestWriter struct {
	buf *bytes.Buffer
	enc *json.Encoder
	n   int
}

// newManifestWriter writes every field of head; Objects follow with add. It sizes buf
// for head.Pages objects under base once, so the text is never copied to grow.
func newManifestWriter(buf *bytes.Buffer, head Manifest, base string) (*manifestWriter, error) {
	head.Objects = []PageObject{}
	b, err := json.MarshalIndent(head, "", "  ")
	if err != nil {
		return nil, err
	}
	b, ok := bytes.CutSuffix(b, []byte("[]\n}"))
	if !ok {
		return nil, errors.New("manifest: objects must be its last field")
	}
	// A page object with the widest numbers a page has, plus its separator.
	widest, err := json.MarshalIndent(PageObject{Key: PageKey(base, 999, 99_999_999), Partition: 999,
		Seq: 99_999_999, Records: 999_999, Bytes: 999_999_999, SHA256: strings.Repeat("0", 64)}, "    ", "  ")
	if err != nil {
		return nil, err
	}
	buf.Grow(len(b) + head.Pages*(len(widest)+6) + 8)
	buf.Write(b)
	buf.WriteByte('[')
	enc := json.NewEncoder(buf)
	enc.SetIndent("    ", "  ")
	return &manifestWriter{buf: buf, enc: enc}, nil
}

func (w *manifestWriter) add(o PageObject) {
	if w.n > 0 {
		w.buf.WriteByte(',')
	}
	w.buf.WriteString("\n    ")
	_ = w.enc.Encode(o)             // a PageObject always encodes; bytes.Buffer never fails
	w.buf.Truncate(w.buf.Len() - 1) // Encode's newline
	w.n++
}

func (w *manifestWriter) close() {
	if w.n > 0 {
		w.buf.WriteString("\n  ")
	}
	w.buf.WriteString("]\n}")
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
