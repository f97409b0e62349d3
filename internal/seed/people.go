package seed

import (
	"context"
	"sort"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/id"
)

// insertUsers creates the accounts: the known ones first (the oldest
// accounts), then generated people who joined during the first sixth of the
// community's history, so everything they do happens after they joined.
func (e *engine) insertUsers(ctx context.Context) error {
	n := e.p.users
	times := make([]int64, n)
	joined := e.start + e.p.span.Milliseconds()/6
	for i := range times {
		times[i] = e.between(e.start, joined)
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })

	// Popularity: a random order, with quiet known accounts (the operator)
	// last and active ones among the well-followed.
	perm := e.r.Perm(n)
	e.rank = make([]int32, 0, n)
	var quiet []int32
	for _, u := range perm {
		if u < len(e.p.known) {
			continue
		}
		e.rank = append(e.rank, int32(u))
	}
	for i, k := range e.p.known {
		if k.Active {
			at := min(len(e.rank), 5+10*i)
			e.rank = append(e.rank[:at], append([]int32{int32(i)}, e.rank[at:]...)...)
		} else {
			quiet = append(quiet, int32(i))
		}
	}
	e.rank = append(e.rank, quiet...)
	e.rankOf = make([]int32, n)
	for r, u := range e.rank {
		e.rankOf[u] = int32(r)
	}
	creators := max(1, n/100)
	e.prolific = make([]int32, n)
	for i, u := range e.r.Perm(n) {
		e.prolific[i] = int32(u)
	}

	// Hashing is deliberately slow, so it happens once per password.
	hashes := map[string]string{}
	hashOf := func(pw string) string {
		if h, ok := hashes[pw]; ok {
			return h
		}
		hashes[pw] = accounts.HashPassword(pw)
		return hashes[pw]
	}
	taken := map[string]bool{}
	for _, k := range e.p.known {
		taken[k.Username] = true
	}

	e.users = make([]userInfo, n)
	ins := newInserter(e.d, "users", []string{"id", "username", "display_name", "password_hash", "bio", "avatar_url",
		"role", "gender", "birth_year", "region", "locale", "created_at", "updated_at"}, "")
	return e.phase("users", int64(n), func(add func(int)) error {
		ins.onRows = add
		return chunked(ctx, e.d, n, 5000, []*inserter{ins}, func(ctx context.Context, lo, hi int) error {
			for i := lo; i < hi; i++ {
				t := times[i]
				var p person
				role, hash, inactive := accounts.RoleUser, "", false
				if i < len(e.p.known) {
					k := e.p.known[i]
					p = e.w.person(map[string]bool{})
					p.username, p.display, role, hash = k.Username, k.DisplayName, k.Role, hashOf(k.Password)
					p.lang = zh
					inactive = !k.Active
				} else {
					p = e.w.person(taken)
					hash = hashOf(e.p.password)
					if int(e.rankOf[i]) < creators {
						role = accounts.RoleCreator
					}
				}
				avatar := ""
				if len(e.avatar) > 0 && e.r.IntN(100) < 85 {
					avatar = pick(e.r, e.avatar)
				}
				locale := "zh-CN"
				if p.lang == en {
					locale = "en"
				}
				uid := e.userIDs.at(t)
				e.users[i] = userInfo{id: uid, created: t, lang: p.lang, cat: p.cat, inactive: inactive, name: p.username}
				if err := ins.add(ctx, uid, p.username, p.display, hash, p.bio, avatar, role, p.gender, p.birthYear,
					p.region, locale, t, t); err != nil {
					return err
				}
			}
			return nil
		})
	})
}

// activeUser picks a user who takes part, by popularity with skew alpha.
func (e *engine) activeUser(alpha float64) int32 { return e.pickFrom(e.rank, alpha) }

// author picks who writes a note. How much someone writes is independent
// of how many followers they have: were the most followed also the most
// prolific, every following feed would fill with the same few accounts
// (and timelines, which hold one row per note per follower, would grow
// with followers times notes of the top accounts).
func (e *engine) author() int32 { return e.pickFrom(e.prolific, 1.5) }

func (e *engine) pickFrom(order []int32, alpha float64) int32 {
	for {
		u := order[e.skew(len(order), alpha)]
		if !e.users[u].inactive {
			return u
		}
	}
}

// insertTopics creates every topic the banks use.
func (e *engine) insertTopics(ctx context.Context) error {
	display := map[string]string{} // key → the banks' spelling (早C晚A)
	var names []string
	addAll := func(ts []string) {
		for _, t := range ts {
			if k := topicKey(t); display[k] == "" {
				display[k] = t
				names = append(names, k)
			}
		}
	}
	for c := range numCategories {
		for l := range 2 {
			addAll(banks[c][l].topics)
		}
	}
	addAll(generalTopics[zh])
	addAll(generalTopics[en])
	sort.Strings(names)
	e.topics = map[string]id.ID{}
	ins := newInserter(e.d, "topics", []string{"id", "name", "display", "created_at"}, "")
	return e.phase("topics", int64(len(names)), func(add func(int)) error {
		ins.onRows = add
		return chunked(ctx, e.d, len(names), len(names), []*inserter{ins}, func(ctx context.Context, lo, hi int) error {
			for _, n := range names[lo:hi] {
				tid := e.topicIDs.at(e.start)
				e.topics[n] = tid
				if err := ins.add(ctx, tid, n, display[n], e.start); err != nil {
					return err
				}
			}
			return nil
		})
	})
}
