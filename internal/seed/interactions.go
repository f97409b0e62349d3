package seed

import (
	"context"
	"slices"

	"github.com/redmark/redmark/internal/notify"
)

// rowsPerTx sizes the transactions of the interaction phases.
const rowsPerTx = 50_000

// knownAtLeast gives the active known accounts (the demo login) at least
// min of something, so what they see does not depend on luck.
func (e *engine) knownAtLeast(q []int32, least, limit int) {
	for i, k := range e.p.known {
		if k.Active {
			q[i] = int32(max(int(q[i]), min(least, limit)))
		}
	}
}

// usersPerTx turns a row budget into a number of users per transaction.
func usersPerTx(rows, users int) int {
	if rows == 0 {
		return max(1, users)
	}
	return max(1, min(users, rowsPerTx*users/rows))
}

// distinct draws k different values from draw, skipping those ok rejects.
// Skewed draws collide often for heavy users, so after a few collisions in
// a row it falls back to uniform draws, which terminate quickly because k
// is at most half the range.
func (e *engine) distinct(k, n int, draw func() int, ok func(int) bool, seen map[int32]bool) []int32 {
	clear(seen)
	out := make([]int32, 0, k)
	misses := 0
	for len(out) < k && misses < 50*k+100 {
		v := 0
		if misses%4 == 3 {
			v = e.r.IntN(n)
		} else {
			v = draw()
		}
		if seen[int32(v)] || !ok(v) {
			misses++
			continue
		}
		seen[int32(v)] = true
		out = append(out, int32(v))
	}
	slices.Sort(out) // insert in primary-key order
	return out
}

// insertFollows builds the follow graph: how many people someone follows
// is log-normal, and whom they follow is a steep power law, so a few
// creators gather a large share of all followers.
func (e *engine) insertFollows(ctx context.Context) error {
	n := len(e.users)
	q := e.quotas(e.weights(n), e.p.follows, (n-1)/2)
	for i, u := range e.users {
		if u.inactive {
			q[i] = 0
		}
	}
	e.knownAtLeast(q, 30, (n-1)/2)
	ins := newInserter(e.d, "follows", []string{"follower_id", "followee_id", "created_at"}, "")
	seen := map[int32]bool{}
	return e.phase("follows", int64(e.p.follows), func(add func(int)) error {
		ins.onRows = add
		return chunked(ctx, e.d, n, usersPerTx(e.p.follows, n), []*inserter{ins}, func(ctx context.Context, lo, hi int) error {
			for f := lo; f < hi; f++ {
				follower := e.users[f]
				picked := e.distinct(int(q[f]), n, func() int { return int(e.rank[e.skew(n, 3.5)]) },
					func(v int) bool { return v != f && !e.users[v].inactive }, seen)
				for _, v := range picked {
					at := e.between(max(follower.created, e.users[v].created)+minute, e.end)
					if err := ins.add(ctx, follower.id, e.users[v].id, at); err != nil {
						return err
					}
					e.record(event{at: at, user: v, actor: int32(f), kind: notify.Follow, note: -1})
				}
			}
			return nil
		})
	})
}

// insertLikesAndCollects makes each user like and collect notes, most of
// them popular. Collected notes are usually liked too, and people who
// collect a lot sort some of it into named boards.
func (e *engine) insertLikesAndCollects(ctx context.Context) error {
	n, nn := len(e.users), len(e.notes)
	w := e.weights(n)
	likes := e.quotas(w, e.p.likes, nn/2)
	collects := e.quotas(w, e.p.collects, nn/2)
	for i, u := range e.users {
		if u.inactive {
			likes[i], collects[i] = 0, 0
		}
	}
	e.knownAtLeast(likes, 60, nn/2)
	e.knownAtLeast(collects, 20, nn/2)
	likeIns := newInserter(e.d, "likes", []string{"user_id", "note_id", "created_at"}, "")
	boardIns := newInserter(e.d, "boards", []string{"id", "user_id", "name", "created_at"}, "")
	collectIns := newInserter(e.d, "collects", []string{"user_id", "note_id", "board_id", "created_at"}, "").after(boardIns)
	all := []*inserter{likeIns, boardIns, collectIns}
	seen := map[int32]bool{}
	total := int64(e.p.likes + e.p.collects)
	return e.phase("likes+collects", total, func(add func(int)) error {
		likeIns.onRows, collectIns.onRows = add, add
		return chunked(ctx, e.d, n, usersPerTx(int(total), n), all, func(ctx context.Context, lo, hi int) error {
			for u := lo; u < hi; u++ {
				if err := e.userLikes(ctx, u, int(likes[u]), int(collects[u]), seen, likeIns, boardIns, collectIns); err != nil {
					return err
				}
			}
			return nil
		})
	})
}

func (e *engine) userLikes(ctx context.Context, u, nLikes, nCollects int, seen map[int32]bool, likeIns, boardIns, collectIns *inserter) error {
	user := e.users[u]
	nn := len(e.notes)
	notOwn := func(v int) bool { return int(e.notes[v].author) != u }
	popular := func() int { return int(e.nrank[e.skew(nn, 2.5)]) }
	liked := e.distinct(nLikes, nn, popular, notOwn, seen)
	for _, v := range liked {
		note := e.notes[v]
		at := e.between(max(note.created, user.created)+minute, e.end)
		if err := likeIns.add(ctx, user.id, note.id, at); err != nil {
			return err
		}
		e.record(event{at: at, user: note.author, actor: int32(u), kind: notify.Like, note: v})
	}
	// Collect mostly from what was liked.
	collected := e.distinct(nCollects, nn, func() int {
		if len(liked) > 0 && e.r.IntN(10) < 7 {
			return int(pick(e.r, liked))
		}
		return popular()
	}, notOwn, seen)

	// Boards: named after what the user likes to read, in their language.
	var boards []int64
	var names []string
	want := 1 + e.r.IntN(3)
	if u < len(e.p.known) && len(e.p.known[u].Boards) > 0 {
		names, want = e.p.known[u].Boards, len(e.p.known[u].Boards)
	} else if len(collected) >= 3 && e.r.IntN(10) < 7 {
		names = append([]string(nil), banks[user.cat][user.lang].boards...)
		names = append(names, banks[category(e.r.IntN(int(numCategories)))][user.lang].boards...)
		e.r.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
	}
	used := map[string]bool{}
	for _, name := range names {
		if len(boards) == want {
			break
		}
		if used[name] {
			continue
		}
		used[name] = true
		at := user.created + minute
		bid := e.boardIDs.at(at)
		boards = append(boards, int64(bid))
		if err := boardIns.add(ctx, bid, user.id, name, at); err != nil {
			return err
		}
	}
	for _, v := range collected {
		note := e.notes[v]
		at := e.between(max(note.created, user.created)+2*minute, e.end)
		var board any
		if len(boards) > 0 && e.r.IntN(10) < 7 {
			board = pick(e.r, boards)
		}
		if err := collectIns.add(ctx, user.id, note.id, board, at); err != nil {
			return err
		}
		e.record(event{at: at, user: note.author, actor: int32(u), kind: notify.Collect, note: v})
	}
	return nil
}
