package points_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/dbtest"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/points"
)

func TestLedgerUnderConcurrency(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		u, err := accounts.New(d).CreateWithHash(ctx, "alice", "Alice", "x", accounts.RoleUser)
		if err != nil {
			t.Fatal(err)
		}
		s := points.New(d, points.Rules{})
		if _, err := s.Add(ctx, u.ID, 100, points.Grant, 0, "start"); err != nil {
			t.Fatal(err)
		}
		// 30 spends of 10 race 20 grants of 5: every spend that succeeds is
		// covered, the balance never goes negative and equals the ledger.
		var wg sync.WaitGroup
		var mu sync.Mutex
		spent := 0
		for i := 0; i < 50; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				if i%5 == 0 || i%5 == 1 {
					if _, err := s.Add(ctx, u.ID, 5, points.Grant, 0, "check-in"); err != nil {
						t.Error(err)
					}
					return
				}
				_, err := s.Add(ctx, u.ID, -10, points.SpendOrder, id.New(), "")
				if err == nil {
					mu.Lock()
					spent++
					mu.Unlock()
				} else if !errors.Is(err, apperr.ErrConflict) {
					t.Error(err)
				}
			}(i)
		}
		wg.Wait()
		bal, _ := s.Balance(ctx, u.ID)
		sum, _ := s.LedgerSum(ctx, u.ID)
		if bal != sum || bal != 100+20*5-int64(spent)*10 || bal < 0 {
			t.Fatalf("balance %d, ledger %d, spent %d times", bal, sum, spent)
		}
		// The same (kind, ref) posts once.
		ref := id.New()
		for i := 0; i < 3; i++ {
			posted, err := s.Add(ctx, u.ID, 7, points.EarnOrder, ref, "")
			if err != nil || posted != (i == 0) {
				t.Fatalf("post %d: posted=%v err=%v", i, posted, err)
			}
		}
		entries, _, err := s.Ledger(ctx, u.ID, 0, 100)
		if err != nil || len(entries) == 0 || entries[0].Delta != 7 {
			t.Fatalf("ledger: %v %v", entries, err)
		}
	})
}

func TestDeduction(t *testing.T) {
	s := points.New(nil, points.Rules{})
	cases := []struct{ want, goods, fen, spent int64 }{
		{0, 10000, 0, 0},
		{1000, 10000, 1000, 1000},
		{9000, 10000, 5000, 5000}, // capped at 50%
		{500, 0, 0, 0},
	}
	for _, c := range cases {
		if fen, spent := s.Deduction(c.want, c.goods); fen != c.fen || spent != c.spent {
			t.Errorf("Deduction(%d, %d) = %d, %d; want %d, %d", c.want, c.goods, fen, spent, c.fen, c.spent)
		}
	}
	// 1000 points per yuan: 1 fen costs 10 points; odd points are not charged.
	s = points.New(nil, points.Rules{PointsPerYuan: 1000, MaxSharePct: 100})
	if fen, spent := s.Deduction(1005, 10000); fen != 100 || spent != 1000 {
		t.Errorf("got %d fen for %d points", fen, spent)
	}
	if s.Earned(12345) != 123 {
		t.Errorf("earned %d", s.Earned(12345))
	}
}
