package seed

import (
	"context"
	"math"
	"sort"

	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/notify"
)

const (
	minute = int64(60_000)
	hour   = 60 * minute
	day    = 24 * hour
)

// later returns a time after t, exponentially distributed with the given
// mean, never at or past the end of the history.
func (e *engine) later(t, mean int64) int64 {
	return min(e.end-1, t+minute+int64(e.r.ExpFloat64()*float64(mean)))
}

type genComment struct {
	at             int64
	author         int32
	root, parent   int // indices into the note's comments; -1 for none
	body           string
	likes, replies int
	likers         []int32
}

// insertComments writes comment threads: popular notes get more, about a
// third are replies (often by the note's author), and replies can answer
// other replies in the same thread. Reply and like counts of comments are
// known here, so they are written with the rows.
func (e *engine) insertComments(ctx context.Context) error {
	nn := len(e.notes)
	w := make([]float64, nn)
	for r, v := range e.nrank {
		w[v] = 1 / math.Pow(float64(r)+20, 0.8)
	}
	q := e.quotas(w, e.p.comments, 300)
	cols := []string{"id", "note_id", "author_id", "root_id", "parent_id", "reply_to_user_id", "body",
		"like_count", "reply_count", "created_at"}
	ins := newInserter(e.d, "comments", cols, "")
	likeIns := newInserter(e.d, "comment_likes", []string{"user_id", "comment_id", "created_at"}, "").after(ins)
	seen := map[int32]bool{}
	return e.phase("comments", int64(e.p.comments), func(add func(int)) error {
		ins.onRows = add
		return chunked(ctx, e.d, nn, usersPerTx(e.p.comments, nn), []*inserter{ins, likeIns}, func(ctx context.Context, lo, hi int) error {
			for v := lo; v < hi; v++ {
				if q[v] == 0 {
					continue
				}
				if err := e.thread(ctx, v, int(q[v]), seen, ins, likeIns); err != nil {
					return err
				}
			}
			return nil
		})
	})
}

func (e *engine) thread(ctx context.Context, v, k int, seen map[int32]bool, ins, likeIns *inserter) error {
	note := e.notes[v]
	roots := max(1, k*2/3)
	cs := make([]genComment, 0, k)
	for range roots {
		cs = append(cs, genComment{at: e.later(note.created, 20*hour), author: e.activeUser(1.5), root: -1, parent: -1,
			body: e.w.comment(note.lang)})
	}
	for range k - roots {
		r := e.r.IntN(roots)
		parent := r
		if e.r.IntN(10) < 3 { // answer an earlier reply in the same thread
			for j := len(cs) - 1; j >= roots; j-- {
				if cs[j].root == r {
					parent = j
					break
				}
			}
		}
		author := e.activeUser(1.5)
		if e.r.IntN(10) < 4 {
			author = note.author
		}
		cs = append(cs, genComment{at: e.later(cs[parent].at, 4*hour), author: author, root: r, parent: parent,
			body: e.w.reply(note.lang)})
		cs[r].replies++
	}
	if e.p.events {
		for i := range cs {
			n := int(float64(len(e.users)/20+1) * math.Pow(e.r.Float64(), 4))
			cs[i].likers = e.distinct(min(n, len(e.users)/2), len(e.users), func() int { return int(e.activeUser(1.5)) },
				func(u int) bool { return !e.users[u].inactive }, seen)
			cs[i].likes = len(cs[i].likers)
		}
	}
	// Number the comments in time order; a reply is never earlier than its
	// parent, and the stable sort keeps a parent first on a tie.
	order := make([]int, len(cs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return cs[order[a]].at < cs[order[b]].at })
	ids := make([]id.ID, len(cs))
	for _, i := range order {
		ids[i] = e.commentIDs.at(cs[i].at)
	}
	for _, i := range order {
		c := cs[i]
		var root, parent, replyTo any
		if c.root >= 0 {
			root, parent, replyTo = ids[c.root], ids[c.parent], e.users[cs[c.parent].author].id
		}
		if err := ins.add(ctx, ids[i], note.id, e.users[c.author].id, root, parent, replyTo, c.body, c.likes, c.replies, c.at); err != nil {
			return err
		}
		if c.root < 0 {
			e.record(event{at: c.at, user: note.author, actor: c.author, kind: notify.Comment, note: int32(v), comment: ids[i]})
		} else {
			e.record(event{at: c.at, user: cs[c.parent].author, actor: c.author, kind: notify.Reply, note: int32(v), comment: ids[i]})
		}
		for _, u := range c.likers {
			at := e.later(c.at, 6*hour)
			if err := likeIns.add(ctx, e.users[u].id, ids[i], at); err != nil {
				return err
			}
			e.record(event{at: at, user: c.author, actor: u, kind: notify.CommentLike, note: int32(v), comment: ids[i]})
		}
	}
	return nil
}
