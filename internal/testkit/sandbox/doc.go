// Package sandbox is a local HTTP server that plays the Clio, Attio, Close and Clever APIs as
// documented in /work/shared/PROVIDERS.md, awkward parts included, so that tests and the demo
// can run the exporter without the real services. It is written independently of the
// connectors on purpose: of pagewise it imports only internal/apispec, the facts generated
// from the providers' own specs, never a connector.
//
// It answers only what the docs document. Each endpoint has a row (documented_table.go,
// listed by Server.Endpoints) of the query parameters and top-level body fields its spec
// lists (internal/apispec, readings included; the hand-written lists there say what the
// sandbox implements). Before a provider answers, everything else is dropped, as a lenient
// API ignores it, and counted in Stats.Undocumented; a documented parameter the sandbox does
// not implement is a 400 in the provider's shape, never a silent no-op. Every request is
// also held to the spec facts' enums, types, limits, required parameters and record fields,
// and what they refuse is counted in Stats.OffSpec. Where a reference is unclear the row
// takes the stricter reading and says so.
//
// Where the providers' documents are silent, the sandbox chooses:
//   - Data: generated from (Seed, provider, resource, index), timestamps spread over the five
//     years before 2025-01-01 (earlier only if Options.Now is), created non-decreasing with
//     index; inserted records are stored, generated ones never are.
//   - Clio: the index actions in clioActions, each record with every field its reference's
//     response schema documents. 400 ArgumentError for a bad limit/order/offset/
//     updated_since/created_since/page_token/scope; both since filters keep records at or
//     after the time. Notes need type (Matter or Contact), which picks one of two tables
//     sharing one id space. Folders and documents without scope=descendants hold only the
//     root folder's children (one record in four). A nested resource carries its default
//     fields, id and etag (null for one in four, 0-2 items in a list); nested fields other
//     than those are the sandbox's 400, except custom_field_values, modelled whole; a second
//     level of braces is a 400. Plain objects the schema does not detail are {}. Cursor
//     paging needs order=id(asc) and no offset, as the paging guide says; anything else is
//     offset paging, which also returns paging.next/previous (never past record 10,000).
//     Actions that document no order (calendar entries, relationships) never reach cursor
//     paging. etag is a quoted string; calendar entry ids are strings, as the schema says.
//     meta.records holds the total unless ClioOmitTotal.
//   - Attio: record filters on created_at, record_id and name only, entry filters on
//     created_at only; $and/$or and other attributes are 400s. sorts: created_at only. A
//     meetings cursor used with a different limit is a 400; one generated meeting in three
//     links a person, which the linked_object/linked_record_id filter finds. Records and
//     entries queries cost (1 + sorts + filtered attributes) * ceil(rows/10000) *
//     ceil(limit/100) against AttioScoreBudget per token per 10 s; one over
//     AttioQueryScoreLimit (default: the budget) is a 429 naming the per-query limit. Every
//     record carries every field its response schema lists, and each attribute value every
//     field of its attribute type. The workspace has the objects people, companies, deals
//     and invoices (custom) and two lists, sales_pipeline and recruiting, whose entries are
//     the tables list.<api_slug>. Tasks' assignee filter is a 400 (documented, not
//     implemented).
//   - Close: lists default to -date_created, ties by id descending (the exact reverse of
//     (date_created, id)); Dataset uses that order. Leads and contacts take no date filters or
//     _order_by. Opportunities take date_created/date_updated filters, equality filters on
//     their fields, _order_by=(-)date_created, and answer total_results. Activities apply
//     date_created filters only with an explicit _order_by=(-)date_created, and _type/user_id
//     only with lead_id (else Stats.Ignored counts them). Records come in blocks of
//     2*CloseTieRun: the first CloseTieRun share one date_created. One Insert call is one bulk
//     import sharing one date_created. _fields does not force id; unknown names are ignored. A
//     path without its trailing slash gets a 301. Events: newest first, _limit default and max
//     50, no _skip.
//   - Close search: leads and contacts; and/object_type/field_condition queries with
//     regular_field date_created/date_updated moment_range fixed_utc bounds, other queries 400.
//     _limit default and max 200. Default order date_created ascending, ties by id; at most one
//     sort. One cursor walk returns at most CloseSearchCap results; a cursor lives
//     CloseCursorTTL after it is handed out and belongs to one query, sort, _limit and
//     results_limit.
//   - Clever: v3.0 and v3.1 serve the same records; users hold every documented role, some
//     two. Each record carries every field its schema lists (v3.0.yml for the lists the
//     connector reads from /v3.0, v3.1.yml for users, with every field of each role), some
//     nullable ones null; terms and courses have no timestamps, so their updated events'
//     previous_attributes name the old name. A prev link on starting_after pages is ending_before=<the starting_after value>, as
//     in the docs' example. /districts holds one district (unless Sizes says otherwise) on one
//     page without paging links. count is accepted and changes nothing. User tokens get an
//     HTML page with status 200. /events is the last 30 days of the generated data's changes
//     (created, updated, deleted), plus one event per record Insert adds or Touch updates;
//     it never expires events, and refuses its school and record_type filters.
//   - Rate headers are sent only when Options.Budget is set; injected 429s use the documented
//     nominal limits (Clio 50/min, Close 20/s, Clever 1200/min). Attio's Retry-After is an
//     HTTP date, Clio's seconds; Close's RateLimit pairs use "," or, with
//     CloseRateLimitSemicolons, ";".
//   - Broken contracts (Options.Broken, Server.Break): see Contract for what each mode does.
package sandbox
