package closeio_test

import (
	"sync"
	"time"
)

// atomic64 is a settable clock for the sandbox, safe for its concurrent handlers.
type atomic64 struct {
	mu sync.Mutex
	t  time.Time
}

func (c *atomic64) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

func (c *atomic64) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func (c *atomic64) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
