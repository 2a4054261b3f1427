package sandbox

import (
	"hash/fnv"
	"sort"
	"sync"
	"time"
)

// genEnd bounds generated timestamps so that the same Seed gives the same data every run.
var genEnd = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// Hash streams: each field of a record draws from its own stream so fields are independent.
const (
	hJitter uint64 = iota + 1
	hUpdated
	hID
	hID2
	hA
	hB
	hC
	hD
	hE
	hF
	hG
)

// mix is the SplitMix64 finaliser: every field of every record is derived from
// (seed, table, index) with it, so nothing generated has to be stored.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func saltOf(seed int64, key string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(key))
	return mix(uint64(seed) ^ h.Sum64())
}

// meta is what paging and filtering need of a record; the rest is rendered on demand.
type meta struct {
	id      string
	created time.Time
	updated time.Time
}

// table is one provider resource: base generated records (index < base) followed by inserted
// ones. Index order is creation order: created is non-decreasing with index.
type table struct {
	provider, name string
	salt           uint64
	base           int
	prec           time.Duration // timestamp precision of the provider's wire format
	start, end     time.Time

	createdAt func(i int) time.Time                   // generated records only
	idAt      func(i int, created time.Time) string   // generated and, unless batchID is set, inserted
	batchID   func(i, pos, n int, c time.Time) string // optional: id of record pos of an n-record insert
	maxAge    time.Duration                           // how far after created a generated update may be

	ins     []meta
	touched map[int]time.Time

	cacheMu sync.Mutex
	cache   map[string]any // derived data (counts, permutations); dropped on every change
}

func (s *Server) newTable(provider, name string, prec time.Duration) *table {
	start, end := s.span()
	t := &table{
		provider: provider, name: name,
		salt:    saltOf(s.opts.Seed, provider+"/"+name),
		base:    s.size(provider, name),
		prec:    prec,
		start:   start,
		end:     end,
		maxAge:  30 * 24 * time.Hour,
		touched: map[int]time.Time{},
	}
	t.createdAt = t.linear()
	return t
}

// span is when generated records are created: the whole range, or its middle Crowd.
func (s *Server) span() (time.Time, time.Time) {
	c := s.opts.Crowd
	if c <= 0 || c >= 1 {
		return s.start, s.end
	}
	whole := s.end.Sub(s.start)
	part := time.Duration(float64(whole) * c)
	start := s.start.Add((whole - part) / 2)
	return start, start.Add(part)
}

func (t *table) h(i int, k uint64) uint64 { return mix(t.salt ^ mix(uint64(i)<<8|k)) }

func (t *table) count() int { return t.base + len(t.ins) }

// linear spreads base records evenly over [start, end) with a jitter smaller than one step,
// which keeps created non-decreasing with index.
func (t *table) linear() func(int) time.Time {
	step := max(t.end.Sub(t.start)/time.Duration(max(t.base, 1)), t.prec)
	return func(i int) time.Time {
		j := time.Duration(t.h(i, hJitter) % uint64(step))
		return t.start.Add(step*time.Duration(i) + j).Truncate(t.prec)
	}
}

func (t *table) createdOf(i int) time.Time {
	if i >= t.base {
		return t.ins[i-t.base].created
	}
	return t.createdAt(i)
}

func (t *table) meta(i int) meta {
	if i >= t.base {
		return t.ins[i-t.base]
	}
	c := t.createdAt(i)
	m := meta{id: t.idAt(i, c), created: c, updated: c}
	if u, ok := t.touched[i]; ok {
		m.updated = u
	} else if room := min(t.end.Sub(c), t.maxAge); room > 0 {
		m.updated = c.Add(time.Duration(t.h(i, hUpdated) % uint64(room))).Truncate(t.prec)
		if m.updated.Before(c) {
			m.updated = c
		}
	}
	return m
}

// firstCreated is the first index whose created is >= at (after=false) or > at (after=true).
func (t *table) firstCreated(at time.Time, after bool) int {
	return sort.Search(t.count(), func(i int) bool {
		c := t.createdOf(i)
		if after {
			return c.After(at)
		}
		return !c.Before(at)
	})
}

// createdRange narrows positions [lo, hi) of index order to the records whose created time
// is op ("" for equal, gt, gte, lt, lte) at.
func createdRange(t *table, op string, at time.Time, lo, hi int) (int, int) {
	switch op {
	case "":
		lo, hi = max(lo, t.firstCreated(at, false)), min(hi, t.firstCreated(at, true))
	case "gte":
		lo = max(lo, t.firstCreated(at, false))
	case "gt":
		lo = max(lo, t.firstCreated(at, true))
	case "lt":
		hi = min(hi, t.firstCreated(at, false))
	case "lte":
		hi = min(hi, t.firstCreated(at, true))
	}
	return lo, max(hi, lo)
}

// insert appends n records created at now; callers hold the server's write lock.
func (t *table) insert(now time.Time, n int) []string {
	c := now.UTC().Truncate(t.prec)
	// Never go back in time, and never tie with earlier records: one insert is one tie group.
	if cnt := t.count(); cnt > 0 {
		if last := t.createdOf(cnt - 1); !c.After(last) {
			c = last.Add(t.prec)
		}
	}
	ids := make([]string, n)
	for p := range n {
		i := t.count()
		var id string
		if t.batchID != nil {
			id = t.batchID(i, p, n, c)
		} else {
			id = t.idAt(i, c)
		}
		t.ins = append(t.ins, meta{id: id, created: c, updated: c})
		ids[p] = id
	}
	t.dropCache()
	return ids
}

// touch sets updated of the given indices to now (never before created).
func (t *table) touch(now time.Time, idx []int) []string {
	u := now.UTC().Truncate(t.prec)
	ids := make([]string, len(idx))
	for k, i := range idx {
		m := t.meta(i)
		at := u
		if at.Before(m.created) {
			at = m.created
		}
		if i >= t.base {
			t.ins[i-t.base].updated = at
		} else {
			t.touched[i] = at
		}
		ids[k] = m.id
	}
	t.dropCache()
	return ids
}

func (t *table) dropCache() {
	t.cacheMu.Lock()
	t.cache = nil
	t.cacheMu.Unlock()
}

// cached returns the value stored under key, computing it once per table version.
func (t *table) cached(key string, compute func() any) any {
	t.cacheMu.Lock()
	defer t.cacheMu.Unlock()
	if v, ok := t.cache[key]; ok {
		return v
	}
	v := compute()
	if t.cache == nil {
		t.cache = map[string]any{}
	}
	t.cache[key] = v
	return v
}

// byUpdated is every index ordered by (updated, index), for Clio's updated_at order.
func (t *table) byUpdated() []int32 {
	return t.cached("by-updated", func() any {
		n := t.count()
		perm := make([]int32, n)
		keys := make([]int64, n)
		for i := range n {
			perm[i] = int32(i)
			keys[i] = t.meta(i).updated.UnixNano()
		}
		sort.SliceStable(perm, func(a, b int) bool { return keys[perm[a]] < keys[perm[b]] })
		return perm
	}).([]int32)
}
