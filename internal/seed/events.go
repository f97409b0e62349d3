package seed

import (
	"context"
	"math"
	"sort"
)

// notifyWindow is how far back notifications reach for ordinary users; the
// known accounts get every notification, so the demo login has a full inbox.
const notifyWindow = 10 * day

// record keeps an event that would have notified someone (demo only).
func (e *engine) record(ev event) {
	if !e.p.events || ev.user == ev.actor {
		return
	}
	known := int(ev.user) < len(e.p.known)
	if ev.at < e.end-notifyWindow && !known {
		return
	}
	e.events = append(e.events, ev)
}

// insertShares records a few shares of the more popular notes.
func (e *engine) insertShares(ctx context.Context) error {
	ins := newInserter(e.d, "shares", []string{"id", "note_id", "user_id", "channel", "created_at"}, "")
	return e.phase("shares", 0, func(add func(int)) error {
		ins.onRows = add
		nn := len(e.notes)
		return chunked(ctx, e.d, 1, 1, []*inserter{ins}, func(ctx context.Context, _, _ int) error {
			type share struct {
				at         int64
				note, user int32
			}
			var all []share
			for r, v := range e.nrank {
				k := int(8 * math.Pow(e.r.Float64(), 3) * float64(nn-r) / float64(nn))
				for range k {
					all = append(all, share{e.later(e.notes[v].created, 2*day), v, e.activeUser(1.5)})
				}
			}
			sort.Slice(all, func(i, j int) bool { return all[i].at < all[j].at })
			for _, s := range all {
				if err := ins.add(ctx, e.shareIDs.at(s.at), e.notes[s.note].id, e.users[s.user].id, shareChannel, s.at); err != nil {
					return err
				}
			}
			return nil
		})
	})
}

// insertNotifications writes the recorded events in time order. Those
// older than two days have been read.
func (e *engine) insertNotifications(ctx context.Context) error {
	sort.SliceStable(e.events, func(i, j int) bool { return e.events[i].at < e.events[j].at })
	ins := newInserter(e.d, "notifications", []string{"id", "user_id", "kind", "actor_id", "note_id", "comment_id",
		"created_at", "read_at"}, "")
	return e.phase("notifications", int64(len(e.events)), func(add func(int)) error {
		ins.onRows = add
		return chunked(ctx, e.d, len(e.events), rowsPerTx, []*inserter{ins}, func(ctx context.Context, lo, hi int) error {
			for _, ev := range e.events[lo:hi] {
				var note, comment, read any
				if ev.note >= 0 {
					note = e.notes[ev.note].id
				}
				if ev.comment != 0 {
					comment = ev.comment
				}
				read = int64(0)
				if ev.at < e.end-2*day {
					read = ev.at + hour
				}
				if err := ins.add(ctx, e.notifIDs.at(ev.at), e.users[ev.user].id, ev.kind, e.users[ev.actor].id,
					note, comment, ev.at, read); err != nil {
					return err
				}
			}
			return nil
		})
	})
}
