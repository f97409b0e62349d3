package flashsale

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/shop"
)

// state is what this process keeps of a sale so most attempts are answered
// without the database. It is a hint the database (or Redis) has the last
// word on, with one rule: it never forgets a shopper who has bought, so a
// retried key of a successful purchase always reaches its order.
type state struct {
	sale    Sale      // fixed fields of the sale (its remaining is not kept here)
	item    shop.Item // the SKU as the order line shows it, at the list price
	soldOut atomic.Bool
	closed  atomic.Bool // an operator ended the sale early (End; refresh for other processes)

	mu      sync.Mutex
	bought  map[id.ID]int64 // units per shopper; a present key means the shopper has a flash_orders row
	memo    map[memoKey]error
	old     map[memoKey]error // previous generation of memo, so the memory stays bounded
	memoCap int
	flights map[memoKey]*flight // keys being decided right now
}

// flight is a key being decided; requests with the same key wait for its
// answer instead of racing it (a rejection of the second must not be
// remembered while the first is winning).
type flight struct {
	done chan struct{}
	rc   Receipt
	err  error
}

type memoKey struct {
	user id.ID
	key  string
}

// state returns the sale's state, loading it on first use.
func (s *Service) state(ctx context.Context, saleID id.ID) (*state, error) {
	if v, ok := s.states.Load(saleID); ok {
		return v.(*state), nil
	}
	// Loading holds loadMu so that a release committing meanwhile either is
	// in what we read or updates the state after it is stored (released).
	s.loadMu.Lock()
	defer s.loadMu.Unlock()
	if v, ok := s.states.Load(saleID); ok {
		return v.(*state), nil
	}
	sl, err := s.load(ctx, saleID)
	if err != nil {
		return nil, err
	}
	items, err := s.shop.Items(ctx, []id.ID{sl.SKUID})
	if err != nil {
		return nil, err
	}
	it := items[sl.SKUID]
	it.SKUID, it.ProductID, it.StoreID, it.Price = sl.SKUID, sl.ProductID, sl.StoreID, sl.ListPrice
	if it.Title == "" {
		it.Title = sl.Title
	}
	st := &state{sale: sl, item: it, bought: map[id.ID]int64{}, memo: map[memoKey]error{}, old: map[memoKey]error{},
		memoCap: s.cfg.MemoSize, flights: map[memoKey]*flight{}}
	rows, err := s.db.Reader(ctx).Query(ctx, "SELECT user_id, bought FROM flash_buyers WHERE sale_id = ?", saleID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var u id.ID
		var n int64
		if err := rows.Scan(&u, &n); err != nil {
			return nil, err
		}
		st.bought[u] = n
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	st.soldOut.Store(sl.Remaining == 0)
	if s.rdb != nil {
		if err := s.primeRedis(ctx, st); err != nil {
			return nil, err
		}
	}
	s.states.Store(saleID, st)
	return st, nil
}

// loaded returns the state if this process has loaded the sale. Callers
// that change it from a commit hook hold loadMu (see state).
func (s *Service) loaded(saleID id.ID) *state {
	if v, ok := s.states.Load(saleID); ok {
		return v.(*state)
	}
	return nil
}

// view is what begin saw of a key and its shopper.
type view struct {
	known bool  // the shopper has bought in this sale (may hold a successful key)
	held  int64 // units the shopper holds
	prev  error // the remembered rejection of this key, if any
}

// begin starts deciding key k. When another request is deciding it, f is
// that request's flight and leader is false: wait on f.done.
func (st *state) begin(k memoKey) (f *flight, leader bool, v view) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if f := st.flights[k]; f != nil {
		return f, false, v
	}
	f = &flight{done: make(chan struct{})}
	st.flights[k] = f
	v.held, v.known = st.bought[k.user]
	if err, ok := st.memo[k]; ok {
		v.prev = err
	} else {
		v.prev = st.old[k]
	}
	return f, true, v
}

// end publishes the answer to waiting requests and remembers a rejection
// (the first one only) so a later retry gets the same answer. Two
// generations bound the memory: when the current one is full it becomes
// the old one and the oldest is dropped.
func (st *state) end(k memoKey, f *flight, rc Receipt, err error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	delete(st.flights, k)
	f.rc, f.err = rc, err
	close(f.done)
	if err != errSoldOut && err != errOverLimit && err != errNotStarted && err != errEnded {
		return
	}
	if _, ok := st.memo[k]; ok {
		return
	}
	if _, ok := st.old[k]; ok {
		return
	}
	if len(st.memo) >= st.memoCap/2 {
		st.old, st.memo = st.memo, make(map[memoKey]error, len(st.memo))
	}
	st.memo[k] = err
}

// add records committed units (negative: units given back).
func (st *state) add(u id.ID, n int64) {
	st.mu.Lock()
	st.bought[u] = max(0, st.bought[u]+n)
	st.mu.Unlock()
}
