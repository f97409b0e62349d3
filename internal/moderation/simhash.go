package moderation

import (
	"context"
	"hash/fnv"
	"math/bits"

	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/search"
)

// SimHash of text over its segmented terms (the search analyzer: Chinese
// cut into words, English stemmed, everything folded), each term weighted
// by its count; ok is false for texts with fewer than minTokens terms,
// too short to compare. Texts that share most of their terms get hashes a
// few bits apart.
func SimHash(text string, minTokens int) (uint64, bool) {
	toks := search.AnalyzeQuery(text)
	if len(toks) < minTokens {
		return 0, false
	}
	var v [64]int
	for _, t := range toks {
		h := fnv.New64a()
		h.Write([]byte(t.Term))
		x := h.Sum64()
		for i := range 64 {
			if x&(1<<i) != 0 {
				v[i]++
			} else {
				v[i]--
			}
		}
	}
	var out uint64
	for i := range 64 {
		if v[i] > 0 {
			out |= 1 << i
		}
	}
	return out, true
}

// Distance is the Hamming distance of two SimHashes.
func Distance(a, b uint64) int { return bits.OnesCount64(a ^ b) }

func bands(h uint64) [4]int {
	return [4]int{int(h & 0xffff), int(h >> 16 & 0xffff), int(h >> 32 & 0xffff), int(h >> 48)}
}

// nearDuplicates stores the note's SimHash and returns a finding when
// DuplicateAccounts other accounts posted a near-duplicate within the
// window. Candidates come from the band indexes: within distance 3 of
// 64 bits, one of four 16-bit bands is equal.
func (s *Service) nearDuplicates(ctx context.Context, author, noteID id.ID, text string) (*finding, error) {
	cfg := s.Config
	h, ok := SimHash(text, cfg.MinTokens)
	if !ok || cfg.DuplicateAccounts <= 0 {
		return nil, nil
	}
	w := s.db.Writer(ctx)
	b, now := bands(h), db.Now()
	if _, err := w.Exec(ctx, `INSERT INTO note_simhashes (note_id, author_id, hash, band0, band1, band2, band3, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (note_id) DO UPDATE SET hash = excluded.hash, band0 = excluded.band0,
		band1 = excluded.band1, band2 = excluded.band2, band3 = excluded.band3, created_at = excluded.created_at`,
		noteID, author, int64(h), b[0], b[1], b[2], b[3], now); err != nil {
		return nil, err
	}
	rows, err := w.Query(ctx, `SELECT s.note_id, s.author_id, s.hash FROM note_simhashes s JOIN notes n ON n.id = s.note_id
		WHERE (s.band0 = ? OR s.band1 = ? OR s.band2 = ? OR s.band3 = ?) AND s.created_at >= ? AND s.author_id <> ?
		ORDER BY s.note_id DESC LIMIT 500`, b[0], b[1], b[2], b[3], now-cfg.DuplicateWindow.Milliseconds(), author)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type match struct {
		NoteID   id.ID `json:"note_id"`
		AuthorID id.ID `json:"author_id"`
		Distance int   `json:"distance"`
	}
	var matches []match
	authors := map[id.ID]bool{}
	for rows.Next() {
		var m match
		var other int64
		if err := rows.Scan(&m.NoteID, &m.AuthorID, &other); err != nil {
			return nil, err
		}
		if m.Distance = Distance(h, uint64(other)); m.Distance <= cfg.DuplicateDistance {
			matches = append(matches, m)
			authors[m.AuthorID] = true
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(authors) < cfg.DuplicateAccounts {
		return nil, nil
	}
	if len(matches) > 20 {
		matches = matches[:20]
	}
	return &finding{SignalDuplicate, map[string]any{"simhash": int64(h), "accounts": len(authors), "matches": matches}}, nil
}
