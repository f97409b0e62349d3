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

	mu      sync.Mutex
	bought  map[id.ID]int64 // units per shopper; a present key means the shopper has a flash_orders row
	memo    map[memoKey]error
	old     map[memoKey]error // previous generation of memo, so the memory stays bounded
	memoCap int
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
		memoCap: s.cfg.MemoSize}
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

// known reports whether the shopper has ever bought in this sale.
func (st *state) known(u id.ID) bool {
	st.mu.Lock()
	_, ok := st.bought[u]
	st.mu.Unlock()
	return ok
}

func (st *state) boughtBy(u id.ID) int64 {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.bought[u]
}

// add records committed units (negative: units given back).
func (st *state) add(u id.ID, n int64) {
	st.mu.Lock()
	st.bought[u] = max(0, st.bought[u]+n)
	st.mu.Unlock()
}

// recall returns the answer remembered for a rejected key, or nil.
func (st *state) recall(k memoKey) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if err, ok := st.memo[k]; ok {
		return err
	}
	return st.old[k]
}

// remember keeps the first rejection of a key so a retry gets the same
// answer, and returns it. Two generations bound the memory: when the
// current one is full it becomes the old one and the oldest is dropped.
func (st *state) remember(k memoKey, err error) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if prev, ok := st.memo[k]; ok {
		return prev
	}
	if prev, ok := st.old[k]; ok {
		return prev
	}
	if len(st.memo) >= st.memoCap/2 {
		st.old, st.memo = st.memo, make(map[memoKey]error, len(st.memo))
	}
	st.memo[k] = err
	return err
}
