package seed

import (
	"time"

	"github.com/redmark/redmark/internal/id"
)

// maxRowsPerTable bounds how many rows one minter may number: the sequence
// fills the 22 low bits of an id (node and sequence), so ids stay unique
// within a table even when many rows share a millisecond.
const maxRowsPerTable = 1 << 22

// minter makes ids for rows dated in the past: id.At(t) gives the
// millisecond, and a per-table sequence in the low bits keeps ids unique, so
// an older row always has a smaller id than a newer one (within the same
// millisecond, the row generated later wins). Seeded times all lie before the
// seed started, so these ids never meet ids minted live by id.New.
type minter struct{ seq int64 }

func (m *minter) at(ms int64) id.ID {
	s := m.seq % maxRowsPerTable
	m.seq++
	return id.At(time.UnixMilli(ms)) | id.ID(s)
}
