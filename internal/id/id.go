// Package id makes the time-ordered 64-bit identifiers used for every row.
// Clients see them as decimal strings and must treat them as opaque; the
// server relies on their order (newer id = newer row) for cursors.
package id

import (
	"crypto/rand"
	"database/sql/driver"
	"encoding/binary"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"
)

// ID is a row identifier: 41 bits of milliseconds since 2024-01-01 UTC,
// 10 bits of node number, 12 bits of sequence.
type ID int64

const epoch = 1704067200000 // 2024-01-01T00:00:00Z in ms

var (
	mu     sync.Mutex
	lastMS int64
	seq    int64
	node   = nodeNumber()
)

// nodeNumber comes from REDMARK_NODE_ID (0–1023) so that servers sharing a
// database never mint the same id; a random one is used when unset.
func nodeNumber() int64 {
	if s := os.Getenv("REDMARK_NODE_ID"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n >= 0 && n < 1024 {
			return int64(n)
		}
	}
	var b [2]byte
	_, _ = rand.Read(b[:])
	return int64(binary.BigEndian.Uint16(b[:]) % 1024)
}

// New returns a fresh id, strictly greater than any earlier one from this process.
func New() ID {
	mu.Lock()
	defer mu.Unlock()
	ms := time.Now().UnixMilli() - epoch
	if ms < lastMS {
		ms = lastMS // clock stepped back: keep ids increasing
	}
	if ms == lastMS {
		seq++
		if seq >= 1<<12 {
			ms++
			seq = 0
		}
	} else {
		seq = 0
	}
	lastMS = ms
	return ID(ms<<22 | node<<12 | seq)
}

// At returns the smallest id that could be minted at t, for time-range cursors.
func At(t time.Time) ID { return ID((t.UnixMilli() - epoch) << 22) }

// Time is the moment the id was minted.
func (i ID) Time() time.Time { return time.UnixMilli(int64(i)>>22 + epoch).UTC() }

func (i ID) String() string { return strconv.FormatInt(int64(i), 10) }

// Parse reads an id from its string form.
func Parse(s string) (ID, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("invalid id %q", s)
	}
	return ID(n), nil
}

// ParseOK is Parse for callers that only need to know whether s is an id
// (cache keys arriving from other servers).
func ParseOK(s string) (ID, bool) {
	i, err := Parse(s)
	return i, err == nil
}

func (i ID) MarshalText() ([]byte, error) { return []byte(i.String()), nil }

func (i *ID) UnmarshalText(b []byte) error {
	v, err := Parse(string(b))
	if err != nil {
		return err
	}
	*i = v
	return nil
}

func (i ID) Value() (driver.Value, error) { return int64(i), nil }

func (i *ID) Scan(src any) error {
	switch v := src.(type) {
	case int64:
		*i = ID(v)
	case nil:
		*i = 0
	default:
		return fmt.Errorf("id: cannot scan %T", src)
	}
	return nil
}
