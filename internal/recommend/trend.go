package recommend

import "math"

// Trending is popularity that forgets: every interaction counts
// 0.5^(age / half-life) at the end of the training window. It is the
// blend's recency-aware prior (what is being read now), where plain
// popularity would keep proposing last season's hits. The half-life is
// chosen on the validation split among TrendSpans, fractions of the
// training window (the server's 180 days: 3, 11, 45 days and no decay).
var TrendSpans = []float64{1.0 / 64, 1.0 / 16, 1.0 / 4, 0}

// trendAcc accumulates the decayed counts for every half-life at once,
// so a build streams its interactions once and the validation picks.
type trendAcc struct {
	now    int64
	lambda []float64 // ln 2 / half-life per span, 0 for no decay
	score  [][]float32
}

func newTrendAcc(nItems int, from, now int64) *trendAcc {
	t := &trendAcc{now: now}
	span := float64(max(now-from, 1))
	for _, f := range TrendSpans {
		l := 0.0
		if f > 0 {
			l = math.Ln2 / (f * span)
		}
		t.lambda = append(t.lambda, l)
		t.score = append(t.score, make([]float32, nItems))
	}
	return t
}

func (t *trendAcc) add(item int32, at int64) {
	age := float64(max(t.now-at, 0))
	for x, l := range t.lambda {
		t.score[x][item] += float32(math.Exp(-l * age))
	}
}

// trendFromTriples computes the decayed counts of a training set.
func trendFromTriples(nItems int, ts []Triple) *trendAcc {
	from, now := int64(math.MaxInt64), int64(math.MinInt64)
	for _, t := range ts {
		from, now = min(from, t.At), max(now, t.At)
	}
	t := newTrendAcc(nItems, from, now)
	for _, x := range ts {
		t.add(x.Item, x.At)
	}
	return t
}
