package clever

import "time"

// SetClock sets the clock the 30-day events history is measured from.
func SetClock(c *Connector, now func() time.Time) { c.now = now }
