package seed

import (
	"context"
)

// levelsPerTx bounds the users of each growth backfill transaction.
const levelsPerTx = 2_000

// levels derives task progress and levels from the bulk-loaded rows through
// the growth service (the rows bypassed its activity hooks), so the
// community has a spread of levels, level-ups and task rewards.
func (e *engine) levels(ctx context.Context) error {
	return e.phase("levels", int64(len(e.users)), func(add func(int)) error {
		for lo := 0; lo < len(e.users); lo += levelsPerTx {
			hi := min(len(e.users), lo+levelsPerTx)
			if _, err := e.a.Growth.Backfill(ctx, e.users[lo].id, e.users[hi-1].id); err != nil {
				return err
			}
			add(hi - lo)
		}
		return nil
	})
}
