package closeio

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/pagewise/pagewise/internal/provider"
)

// customObject is the row of custom object exports; each is named
// custom_object.<custom object type id>, as Catalog discovers them.
const customObject = "custom_object"

// typeIDShape is a custom object type id as Validate accepts it without the network
// (Close's look like cotype_…); Fetch finds out whether it exists.
var typeIDShape = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]*$`)

// objectType is the custom object type id of an export named custom_object.<id>.
func objectType(name string) (string, bool) {
	id, ok := strings.CutPrefix(name, customObject+".")
	return id, ok && typeIDShape.MatchString(id)
}

// fetchByLead exports one custom object type. Its list requires lead_id
// (https://developer.close.com/api/resources/custom-objects/list), so a page is a page of
// lead ids (GET /api/v1/lead/ with _fields=id, offset paging) and then each lead's
// custom objects of the type. The first page also checks that the type exists.
//
// One response per lead could make a page of PageSize bodies; a page instead keeps at
// most one body's worth of records (provider.MaxBody). The lead whose objects would take
// it past that starts the next page, which asks for them again: the stop depends only on
// the records' sizes, so a page retried from its position ends where it ended before.
func (c *Connector) fetchByLead(ctx context.Context, plan provider.Plan, pos provider.Position) (provider.Page, error) {
	typeID, _ := objectType(plan.Resource)
	if err := provider.Gather(ctx); err != nil {
		return provider.Page{}, err
	}
	if pos.Offset == 0 {
		if err := c.checkType(ctx, plan.Resource, typeID); err != nil {
			return provider.Page{}, err
		}
	}
	if limit := c.maxSkip("lead"); pos.Offset > limit {
		return provider.Page{}, fatal(plan.Resource, "offset %d in the lead list is past Close's max _skip of %d for lead", pos.Offset, limit)
	}
	// https://developer.close.com/api/resources/leads/list: _limit, _skip, _fields.
	q := url.Values{"_limit": {strconv.Itoa(plan.PageSize)}, "_skip": {strconv.Itoa(pos.Offset)}, "_fields": {"id"}}
	leads, err := c.list(ctx, plan.Resource, "lead", q)
	if err != nil {
		return provider.Page{}, err
	}
	page := provider.Page{Total: -1, Done: !leads.HasMore, Next: provider.Position{Offset: pos.Offset + len(leads.Data)}}
	bound, kept := provider.MaxBody(ctx), int64(0)
	for i, raw := range leads.Data {
		recs, err := c.objectsOf(ctx, plan.Resource, typeID, idOf(raw), pos)
		if err != nil {
			return provider.Page{}, err
		}
		size := rawSize(recs)
		if i > 0 && kept+size > bound {
			page.Done, page.Next = false, provider.Position{Offset: pos.Offset + i}
			break
		}
		kept += size
		page.Records = append(page.Records, recs...)
	}
	return page, nil
}

func rawSize(recs []json.RawMessage) int64 {
	var n int64
	for _, r := range recs {
		n += int64(len(r))
	}
	return n
}

// objectsOf is one lead's custom objects of typeID, each checked to be of that lead and type.
func (c *Connector) objectsOf(ctx context.Context, resource, typeID, lead string, at provider.Position) ([]json.RawMessage, error) {
	// https://developer.close.com/api/resources/custom-objects/list: lead_id (required),
	// custom_object_type_id; no paging parameter.
	q := url.Values{"lead_id": {lead}, "custom_object_type_id": {typeID}}
	var resp listResponse
	if err := c.do(ctx, resource, http.MethodGet, c.endpoint("/api/v1/custom_object/", q), nil, &resp); err != nil {
		return nil, err
	}
	if resp.HasMore {
		return nil, provider.Broken(Name, resource, at, "has_more from GET /api/v1/custom_object/, which documents no paging")
	}
	for _, rec := range resp.Data {
		var k struct {
			LeadID string `json:"lead_id"`
			TypeID string `json:"custom_object_type_id"`
		}
		_ = json.Unmarshal(rec, &k)
		if k.LeadID != lead || k.TypeID != typeID {
			return nil, provider.Broken(Name, resource, at, "record %s is of lead %q and type %q, not the lead and type asked for", idOf(rec), k.LeadID, k.TypeID)
		}
	}
	return resp.Data, nil
}

// checkType fails the export, not retryably, when the custom object type does not exist.
func (c *Connector) checkType(ctx context.Context, resource, typeID string) error {
	// https://developer.close.com/api/resources/custom-object-types/get
	var typ struct {
		ID string `json:"id"`
	}
	err := c.do(ctx, resource, http.MethodGet, c.endpoint("/api/v1/custom_object_type/"+url.PathEscape(typeID)+"/", nil), nil, &typ)
	var pe *provider.Error
	if errors.As(err, &pe) && pe.Status == http.StatusNotFound {
		return fatal(resource, "custom object type %s does not exist in this Close organization (Catalog lists the ones that do)", typeID)
	}
	return err
}
