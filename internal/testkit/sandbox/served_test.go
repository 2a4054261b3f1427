package sandbox

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
)

// TestServedIDsAndSetToken: the served log holds the ids of successful answers only, and a
// replaced token is refused from the next request on.
func TestServedIDsAndSetToken(t *testing.T) {
	sb := New(Options{Records: 5, LogServed: true})
	srv := httptest.NewServer(sb)
	defer srv.Close()
	get := func(token string) int {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/v4/contacts.json?limit=3&fields=id", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		return resp.StatusCode
	}
	if code := get(DefaultToken(Clio)); code != 200 {
		t.Fatalf("status %d", code)
	}
	want := []string{}
	for _, r := range sb.Dataset(Clio, "contacts")[:3] {
		want = append(want, sb.IDOf(Clio, r))
	}
	if got := sb.ServedIDs(Clio); !slices.Equal(got, want) {
		t.Fatalf("served %v, want %v", got, want)
	}
	sb.SetToken(Clio, "rotated")
	if code := get(DefaultToken(Clio)); code != 401 {
		t.Fatalf("revoked token got %d", code)
	}
	if code := get("rotated"); code != 200 || len(sb.ServedIDs(Clio)) != 6 {
		t.Fatalf("rotated token got %d, served %d", code, len(sb.ServedIDs(Clio)))
	}
}
