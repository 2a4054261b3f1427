// Package sandbox is a local HTTP server that plays the Clio, Attio, Close and Clever APIs as
// documented in /work/shared/PROVIDERS.md, awkward parts included, so that tests and the demo
// can run the exporter without the real services. It is written independently of the
// connectors on purpose: it imports nothing from pagewise, only the standard library.
//
// Where the providers' documents are silent, the sandbox chooses:
//   - Data: generated from (Seed, provider, resource, index), timestamps spread over the five
//     years before 2025-01-01 (earlier only if Options.Now is), created non-decreasing with
//     index; inserted records are stored, generated ones never are.
//   - Clio: 400 ArgumentError for a bad limit/order/offset/updated_since/page_token; nested
//     fields (matter{id}) are unknown fields. Offset mode also returns paging.next/previous
//     (never past record 10,000); cursor mode never returns previous. etag is a quoted string.
//   - Attio: filters on created_at, record_id and name only; $and/$or and other attributes
//     are 400s. sorts: created_at only. A meetings cursor used with a different limit is a 400.
//   - Close: lists default to -date_created, ties by id descending (the exact reverse of
//     (date_created, id)); Dataset uses that order. Records come in blocks of 2*CloseTieRun:
//     the first CloseTieRun share one date_created. One Insert call is one bulk import sharing
//     one date_created. _fields does not force id; unknown names are ignored. A path without
//     its trailing slash gets a 301. Events: newest first, _limit default and max 50, filters
//     object_type/action/lead_id. Search: _limit default and max 200, every lead matches any
//     query object, results are {"__object_type","id"} plus _fields.lead.
//   - Clever: a prev link on starting_after pages is ending_before=<the starting_after value>,
//     as in the docs' example. User tokens get an HTML page with status 200.
//   - Rate headers are sent only when Options.Budget is set; injected 429s use the documented
//     nominal limits (Clio 50/min, Close 20/s, Clever 1200/min).
package sandbox
