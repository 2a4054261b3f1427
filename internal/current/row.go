package current

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/parquet-go/jsonlite"

	"github.com/pagewise/pagewise/internal/table"
)

// Row is one row of a table: a record, exactly as the API returned it, with pagewise's
// columns. A JSONL part holds one a line, its columns first and the record last under
// "record", so that no key of the record can collide with pagewise's:
//
//	{"_pagewise_id":"42","_pagewise_export_id":"e7","_pagewise_extracted_at":"…",
//	 "_pagewise_page":"data/part-000/page-00000001.jsonl.gz","_deleted_at":null,"record":{…}}
//
// History rows have "_valid_from" and "_valid_to" before "record".
type Row struct {
	// ID is the record's id as rows are merged and sorted on (byte order of its text).
	ID string
	// ExportID, ExtractedAt and Page name the run that last saw this version of the
	// record, when it started, and the page object (inside that export's folder) it was in.
	ExportID    string
	ExtractedAt time.Time
	Page        string
	// DeletedAt is when the record was found deleted; zero while it lives.
	DeletedAt time.Time
	// ValidFrom and ValidTo are the span a version held (history): from the run that
	// first saw it until the next version or the delete; ValidTo is zero for the version
	// that holds now.
	ValidFrom, ValidTo time.Time
	Record             []byte
}

// Live reports whether the row's record still exists.
func (r Row) Live() bool { return r.DeletedAt.IsZero() }

// at is the row's time: a later version, or a later delete, replaces it.
func (r *Row) at() time.Time {
	if !r.DeletedAt.IsZero() {
		return r.DeletedAt
	}
	return r.ExtractedAt
}

// appendRow writes r as one JSONL line.
func appendRow(b []byte, r *Row, history bool) []byte {
	b = append(b, `{"`+table.ColID+`":`...)
	b = jsonlite.AppendQuote(b, r.ID)
	b = append(b, `,"`+table.ColExportID+`":`...)
	b = jsonlite.AppendQuote(b, r.ExportID)
	b = append(b, `,"`+table.ColExtractedAt+`":`...)
	b = appendTime(b, r.ExtractedAt)
	b = append(b, `,"`+table.ColPage+`":`...)
	b = jsonlite.AppendQuote(b, r.Page)
	b = append(b, `,"`+table.ColDeletedAt+`":`...)
	b = appendTime(b, r.DeletedAt)
	if history {
		b = append(b, `,"`+table.ColValidFrom+`":`...)
		b = appendTime(b, r.ValidFrom)
		b = append(b, `,"`+table.ColValidTo+`":`...)
		b = appendTime(b, r.ValidTo)
	}
	b = append(b, `,"record":`...)
	b = append(b, r.Record...)
	return append(b, "}\n"...)
}

// appendTime writes t in UTC to the nanosecond, or null for the zero time.
func appendTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(b, "null"...)
	}
	b = append(b, '"')
	b = t.UTC().AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

// parseRow reads a line appendRow wrote (without its newline). Record refers to line.
func parseRow(line []byte, history bool) (Row, error) {
	p := rowParser{b: line}
	var r Row
	p.lit(`{"` + table.ColID + `":`)
	r.ID = p.str()
	p.lit(`,"` + table.ColExportID + `":`)
	r.ExportID = p.str()
	p.lit(`,"` + table.ColExtractedAt + `":`)
	r.ExtractedAt = p.time()
	p.lit(`,"` + table.ColPage + `":`)
	r.Page = p.str()
	p.lit(`,"` + table.ColDeletedAt + `":`)
	r.DeletedAt = p.time()
	if history {
		p.lit(`,"` + table.ColValidFrom + `":`)
		r.ValidFrom = p.time()
		p.lit(`,"` + table.ColValidTo + `":`)
		r.ValidTo = p.time()
	}
	p.lit(`,"record":`)
	if p.err == nil {
		if len(p.b) < 3 || p.b[0] != '{' || p.b[len(p.b)-1] != '}' || p.b[len(p.b)-2] != '}' {
			p.err = errors.New("no record object at the end")
		}
	}
	if p.err != nil {
		return Row{}, fmt.Errorf("a row is not one this package writes: %w", p.err)
	}
	r.Record = p.b[:len(p.b)-1]
	return r, nil
}

// rowParser reads the fixed shape of a row, stopping at the first error.
type rowParser struct {
	b   []byte
	err error
}

func (p *rowParser) lit(s string) {
	if p.err != nil {
		return
	}
	if !bytes.HasPrefix(p.b, []byte(s)) {
		p.err = fmt.Errorf("want %s", s)
		return
	}
	p.b = p.b[len(s):]
}

// token is the JSON string or null at the start of p.b; null is "".
func (p *rowParser) token() (tok []byte, escaped bool) {
	if p.err != nil {
		return nil, false
	}
	if bytes.HasPrefix(p.b, []byte("null")) {
		p.b = p.b[4:]
		return nil, false
	}
	if len(p.b) == 0 || p.b[0] != '"' {
		p.err = errors.New("want a string")
		return nil, false
	}
	for i := 1; i < len(p.b); i++ {
		switch p.b[i] {
		case '\\':
			escaped = true
			i++
		case '"':
			tok, p.b = p.b[:i+1], p.b[i+1:]
			return tok, escaped
		}
	}
	p.err = errors.New("a string has no end")
	return nil, false
}

func (p *rowParser) str() string {
	tok, escaped := p.token()
	if tok == nil {
		return ""
	}
	if !escaped {
		return string(tok[1 : len(tok)-1])
	}
	s, err := jsonlite.Unquote(string(tok))
	if err != nil {
		p.err = errors.New("a string has a bad escape") // not err: it quotes the string
	}
	return s
}

func (p *rowParser) time() time.Time {
	tok, _ := p.token()
	if tok == nil {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, string(tok[1:len(tok)-1]))
	if err != nil {
		p.err = errors.New("a time is not RFC 3339")
	}
	return t
}
