package search

import "time"

// SetRebuildBatch makes a rebuild read n rows per batch, so tests page
// through tables without thousands of rows.
func SetRebuildBatch(s *Service, n int) { s.rebuildBatch = n }

// SetHistoryClock makes h read the time from now.
func SetHistoryClock(h *History, now func() time.Time) { h.now = now }
