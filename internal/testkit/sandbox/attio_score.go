package sandbox

import (
	"encoding/json"
	"sync"
	"time"
)

// attioScoreWindow is the documented sliding window of Attio's score-based limit.
const attioScoreWindow = 10 * time.Second

// attioScore is the sandbox's complexity score of a records query. Attio documents only its
// inputs ("a function of the requests' sorts and filters as well as the total record count
// for the object"); the sandbox uses (1 + sorts + filtered attributes) * ceil(records/10000),
// with the multiplier at least 1: a plain query of a small object costs 1.
func attioScore(t *table, sorts, filter json.RawMessage) int {
	terms := 1
	var list []json.RawMessage
	if json.Unmarshal(sorts, &list) == nil {
		terms += len(list)
	}
	var attrs map[string]json.RawMessage
	if json.Unmarshal(filter, &attrs) == nil {
		terms += len(attrs)
	}
	return terms * max((t.count()+9999)/10000, 1)
}

// scoreBook enforces Options.AttioScoreBudget per token: scores summed over a sliding
// window. Rejected queries are not logged, so waiting the reported delay always succeeds.
type scoreBook struct {
	mu     sync.Mutex
	budget int
	logs   map[string][]scored
}

type scored struct {
	at    time.Time
	score int
}

func newScoreBook(budget int) *scoreBook {
	return &scoreBook{budget: budget, logs: map[string][]scored{}}
}

// spend admits score for key at now, or says how long until it fits. A score above the whole
// budget never fits ("the score for an individual query may exceed the per-query limit").
func (b *scoreBook) spend(key string, score int, now time.Time) (delay time.Duration, tooComplex bool) {
	if b.budget <= 0 {
		return 0, false
	}
	if score > b.budget {
		return time.Second, true
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
