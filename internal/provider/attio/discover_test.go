package attio

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/pagewise/pagewise/internal/provider"
)

// catalogServer answers GET /v2/objects and GET /v2/lists with the given data arrays.
func catalogServer(t *testing.T, objects, lists string) *Connector {
	return serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.RawQuery != "" {
			t.Errorf("%s %s?%s: discovery sends no parameters", r.Method, r.URL.Path, r.URL.RawQuery)
		}
		switch r.URL.Path {
		case "/v2/objects":
			fmt.Fprintf(w, `{"data":[%s]}`, objects)
		case "/v2/lists":
			fmt.Fprintf(w, `{"data":[%s]}`, lists)
		default:
			t.Errorf("unexpected %s", r.URL.Path)
			w.WriteHeader(http.StatusNotFound)
		}
	})
}

const (
	objA = "aaaaaaaa-0000-4000-8000-000000000001"
	objB = "aaaaaaaa-0000-4000-8000-000000000002"
	objC = "aaaaaaaa-0000-4000-8000-000000000003"
	lstA = "bbbbbbbb-0000-4000-8000-000000000001"
)

func object(id, slug string) string {
	return fmt.Sprintf(`{"id":{"workspace_id":"w","object_id":%q},"api_slug":%s,"singular_noun":"X","plural_noun":"Xs","created_at":"2024-01-01T00:00:00.000000000Z"}`, id, slug)
}

func list(id, slug string) string {
	return fmt.Sprintf(`{"id":{"workspace_id":"w","list_id":%q},"api_slug":%q,"name":"N","parent_object":["people"]}`, id, slug)
}

// TestCatalogNames: objects by api_slug unless it is null, not snake case, or a table row's
// name (then by id); lists as list.<api_slug> or list.<id>; each group sorted by name.
func TestCatalogNames(t *testing.T) {
	objects := object("p", `"people"`) + "," + object(objA, "null") + "," + object(objB, `"tasks"`) + "," + object(objC, `"Bad Slug"`)
	lists := list("l1", "sales") + "," + list(lstA, "Hiring Team")
	rows, err := catalogServer(t, objects, lists).Catalog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for k, r := range rows {
		names = append(names, r.Name)
		if r.Discovered != (k >= len(table)) {
			t.Errorf("%s: Discovered %v", r.Name, r.Discovered)
		}
	}
	want := []string{"meetings", "notes", "tasks", "workspace_members", objA, objB, objC, "people", "list." + lstA, "list.sales"}
	if !slices.Equal(names, want) {
		t.Fatalf("names\n got %v\nwant %v", names, want)
	}
	c := New(Config{Token: "tok"}, nil)
	for _, name := range names {
		if _, err := c.Validate(providerSpec(name)); err != nil {
			t.Errorf("Validate refuses catalog name %s: %v", name, err)
		}
	}
}

// TestCatalogBrokenAnswers: an unnamable object or two lists with one name fail the catalog
// with a Contract error; a refused token fails it like Fetch.
func TestCatalogBrokenAnswers(t *testing.T) {
	for name, tc := range map[string][2]string{
		"unnamable object": {object("not-a-uuid", "null"), ""},
		"duplicate lists":  {"", list("l1", "sales") + "," + list("l2", "sales")},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := catalogServer(t, tc[0], tc[1]).Catalog(context.Background())
			if pe := asError(t, err); !pe.Contract || pe.Retryable {
				t.Fatalf("got %#v", pe)
			}
		})
	}
	c := serve(t, func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"status_code":403,"type":"auth_error","code":"forbidden","message":"missing scope object_configuration:read"}`)
	})
	_, err := c.Catalog(context.Background())
	if pe := asError(t, err); !pe.Credentials || pe.Retryable || pe.Resource != "objects" {
		t.Fatalf("got %#v", pe)
	}
}

func providerSpec(resource string) provider.Spec { return provider.Spec{Resource: resource} }
