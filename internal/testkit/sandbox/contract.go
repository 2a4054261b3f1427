package sandbox

import "slices"

// Contract is a promise of the providers' paging that the sandbox can break on purpose, so
// tests can prove the exporter never loops forever or silently loses records.
type Contract string

// The contracts the sandbox can break. Each comment says which endpoints a mode affects.
const (
	// ContractIgnoreWindow ignores date filters and conditions: Close opportunity, activity
	// and event date filters and search moment_range conditions; Clio updated_since and
	// created_since. The whole table is served, in the order asked for or the default one.
	ContractIgnoreWindow Contract = "ignore-window"
	// ContractRepeatCursor hands out, as the next position, the one the request used, so the
	// first page's next is kept forever and a walk cycles: Clio meta.paging.next, Close
	// events cursor_next and search cursor, Attio meetings next_cursor, Clever links next.
	ContractRepeatCursor Contract = "repeat-cursor"
	// ContractHasMoreForever keeps saying there is more past the end: Close lists has_more
	// true with empty data, Close events and search a cursor with empty data, Clio and
	// Clever a next link with empty data, Attio offset endpoints (notes, tasks, records and
	// entries queries) full pages repeating the last records.
	ContractHasMoreForever Contract = "has-more-forever"
	// ContractUnsorted serves pages out of the order asked for (a fixed shuffle within and
	// across pages, so pages still partition the set): Close opportunity/activity lists with
	// _order_by and search with sort, Clio cursor pages (order=id(asc)), Clever
	// starting_after pages, Attio records and entries queries with sorts, Attio tasks.
	ContractUnsorted Contract = "unsorted"
	// ContractEndless never ends: past the last record it hands out full pages of fresh
	// records (new ids, each page new) with fresh cursors, so no page repeats and no cursor
	// comes back: Attio meetings.
	ContractEndless Contract = "endless"
	// ContractGrowingCursor never ends either, and each next cursor is twice as long as the
	// one before: Attio meetings.
	ContractGrowingCursor Contract = "growing-cursor"
)

// AllContracts lists every contract the sandbox can break.
var AllContracts = []Contract{ContractIgnoreWindow, ContractRepeatCursor, ContractHasMoreForever, ContractUnsorted,
	ContractEndless, ContractGrowingCursor}

// Break sets the contracts provider breaks from now on, replacing Options.Broken for it;
// no contracts restores the documented behaviour.
func (s *Server) Break(provider string, contracts ...Contract) {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	s.brokenBy[provider] = slices.Clone(contracts)
}

// broken reports whether provider currently breaks c.
func (s *Server) broken(provider string, c Contract) bool {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	if list, ok := s.brokenBy[provider]; ok {
		return slices.Contains(list, c)
	}
	return slices.Contains(s.opts.Broken, c)
}

// scramble is a fixed bijection of [0, n): position k of an "unsorted" answer holds element
// at(k) of the ordered one. Affine maps are cheap both ways, so deep pages cost nothing.
type scramble struct{ n, a, b, inv int64 }

func newScramble(n int) scramble {
	s := scramble{n: int64(max(n, 1)), a: 1}
	if s.n > 2 {
		for s.a = s.n*5/8 + 1; gcd(s.a, s.n) != 1; s.a++ {
		}
	}
	s.b, s.inv = s.n/3+1, modInverse(s.a, s.n)
	return s
}

func (s scramble) at(k int) int { return int((s.a*int64(k) + s.b) % s.n) }

// pos is the inverse of at: the position that holds element i.
func (s scramble) pos(i int) int { return int(((int64(i)-s.b)%s.n + s.n) % s.n * s.inv % s.n) }

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// modInverse is a^-1 mod n for gcd(a, n) = 1 (extended Euclid).
func modInverse(a, n int64) int64 {
	t, nt, r, nr := int64(0), int64(1), n, a%n
	for nr != 0 {
		q := r / nr
		t, nt = nt, t-q*nt
		r, nr = nr, r-q*nr
	}
	return (t%n + n) % n
}
