package sandbox

import (
	"encoding/json"
	"sync"
	"time"
)

// attioScoreWindow is the documented sliding window of Attio's score-based limit.
const attioScoreWindow = 10 * time.Second

// attioScore is the sandbox's complexity score of a records or entries query. Attio
// documents only its inputs ("a function of the requests' sorts and filters as well as the
// total record count for the object"); the sandbox uses (1 + sorts + filtered attributes) *
// ceil(records/10000) * ceil(limit/100), each factor at least 1: a plain query of a small
// object for up to 100 records costs 1. The page size is the sandbox's own addition, so that
// a query over the per-query limit can be made cheaper by asking for fewer records, as the
// connector does (the guide says only to reduce its complexity).
func attioScore(t *table, sorts, filter json.RawMessage, limit int) int {
	terms := 1
	var list []json.RawMessage
	if json.Unmarshal(sorts, &list) == nil {
		terms += len(list)
	}
	var attrs map[string]json.RawMessage
	if json.Unmarshal(filter, &attrs) == nil {
		terms += len(attrs)
	}
	return terms * max((t.count()+9999)/10000, 1) * max((limit+99)/100, 1)
}

// scoreBook enforces Options.AttioScoreBudget per token, scores summed over a sliding window,
// and the per-query limit. Rejected queries are not logged, so waiting the reported delay
// always succeeds.
type scoreBook struct {
	mu       sync.Mutex
	budget   int
	perQuery int
	logs     map[string][]scored
}

type scored struct {
	at    time.Time
	score int
}

func newScoreBook(budget, perQuery int) *scoreBook {
	if perQuery <= 0 {
		perQuery = budget
	}
	return &scoreBook{budget: budget, perQuery: perQuery, logs: map[string][]scored{}}
}

// spend admits score for key at now, or says how long until it fits. A score above the
// per-query limit never fits ("the score for an individual query may exceed the per-query
// limit").
func (b *scoreBook) spend(key string, score int, now time.Time) (delay time.Duration, tooComplex bool) {
	if b.perQuery > 0 && score > b.perQuery {
		return time.Second, true
	}
	if b.budget <= 0 {
		return 0, false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	log, sum := b.logs[key], 0
	for len(log) > 0 && !log[0].at.After(now.Add(-attioScoreWindow)) {
		log = log[1:]
	}
	for _, e := range log {
		sum += e.score
	}
	for k := 0; sum+score > b.budget; k++ {
		sum -= log[k].score
		delay = log[k].at.Add(attioScoreWindow).Sub(now)
	}
	if delay > 0 {
		b.logs[key] = log
		return delay, false
	}
	b.logs[key] = append(log, scored{now, score})
	return 0, false
}
