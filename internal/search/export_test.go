package search

// SetRebuildBatch makes a rebuild read n rows per batch, so tests page
// through tables without thousands of rows.
func SetRebuildBatch(s *Service, n int) { s.rebuildBatch = n }
