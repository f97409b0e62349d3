package trends

import "time"

const hourMs = int64(time.Hour / time.Millisecond)

// hourCache keeps what a refresh computed for each finished UTC hour of a
// window, so the next refresh reads only what may have changed: the latest
// hours, and a few kept hours in rotation (which bounds how long a deleted
// note or a moved counter goes unseen). Service.refresh guards it.
type hourCache[T any] struct {
	hours  map[int64]T // by hour number (Unix ms / 1 h)
	verify int64       // the next kept hour to re-read
}

// update brings the cache to now for a window of size hours ending with the
// current one, re-reading the last fresh hours (the current one included)
// and rotate kept hours, and returns every hour of the window with the
// current hour's number. load reads hours [from, to).
func (c *hourCache[T]) update(now time.Time, size, fresh, rotate int64, load func(from, to int64) (map[int64]T, error)) (map[int64]T, int64, error) {
	if c.hours == nil {
		c.hours = map[int64]T{}
	}
	cur := now.UnixMilli() / hourMs
	first := cur - size + 1
	for h := range c.hours {
		if h < first || h > cur-fresh { // out of the window, re-read anyway, or after now (a clock set back)
			delete(c.hours, h)
		}
	}
	// Hours not kept: the whole window at the first refresh, then the hours
	// that just stopped being fresh, contiguous up to the fresh ones; a gap
	// before kept hours (the clock jumped) re-reads the window.
	missing := first
	for _, ok := c.hours[missing]; ok && missing < cur; _, ok = c.hours[missing] {
		missing++
	}
	for h := missing; h < cur; h++ {
		if _, ok := c.hours[h]; ok {
			missing = first
			break
		}
	}
	reads := [][2]int64{{missing, cur + 1}}
	for range rotate {
		if c.verify < first || c.verify >= missing {
			c.verify = first
		}
		if c.verify >= missing {
			break
		}
		reads = append(reads, [2]int64{c.verify, c.verify + 1})
		c.verify++
	}
	all := make(map[int64]T, size)
	for h, v := range c.hours {
		all[h] = v
	}
	for _, r := range reads {
		got, err := load(r[0], r[1])
		if err != nil {
			return nil, 0, err
		}
		for h, v := range got {
			all[h] = v
			if h <= cur-fresh {
				c.hours[h] = v
			}
		}
	}
	return all, cur, nil
}
