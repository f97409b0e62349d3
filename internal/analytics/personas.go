package analytics

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/redmark/redmark/internal/accounts"
)

// MinCell is the smallest group a persona table shows (k-anonymity): a cell
// of fewer users is suppressed.
const MinCell = 10

// SegmentRule defines an operator segment by age and, optionally, gender
// and region: e.g. students are 18–24.
type SegmentRule struct {
	Name   string `json:"name"`
	MinAge int    `json:"min_age"`
	MaxAge int    `json:"max_age"`
	Gender string `json:"gender,omitempty"`
	Region string `json:"region,omitempty"`
}

// PersonaConfig is the operator's persona rules.
type PersonaConfig struct {
	Segments []SegmentRule
	// KOLFollowers is the follower count from which a user counts as a KOL.
	KOLFollowers int64
}

// DefaultPersonas are the segments of the seed report.
var DefaultPersonas = PersonaConfig{
	Segments: []SegmentRule{
		{Name: "students", MinAge: 18, MaxAge: 24},
		{Name: "white_collar", MinAge: 25, MaxAge: 40},
		{Name: "mature", MinAge: 41, MaxAge: 120},
	},
	KOLFollowers: 1000,
}

// AgeBands are the age bands, youngest first.
var AgeBands = []string{"under_18", "18_24", "25_34", "35_44", "45_plus", "unknown"}

func ageBand(birthYear, year int) string {
	if birthYear <= 0 {
		return "unknown"
	}
	switch a := year - birthYear; {
	case a < 18:
		return "under_18"
	case a <= 24:
		return "18_24"
	case a <= 34:
		return "25_34"
	case a <= 44:
		return "35_44"
	default:
		return "45_plus"
	}
}

// Cell is one group of a distribution; Users is nil when suppressed.
type Cell struct {
	Key   string `json:"key"`
	Users *int64 `json:"users"`
}

// Persona describes one population (active users, creators or buyers).
type Persona struct {
	Population string `json:"population"`
	Users      *int64 `json:"users"` // nil when fewer than MinCell
	Gender     []Cell `json:"gender"`
	Age        []Cell `json:"age"`
	Region     []Cell `json:"region"`
	Segments   []Cell `json:"segments"`
}

// Populations are the persona populations.
var Populations = []string{"active", "creators", "buyers"}

// Personas describes who was active, who published and who paid in r: from
// the counts the rollup kept for a window ending on r.To (WindowDays, the
// same rules), else counted from the range's rollups.
func (m *Metrics) Personas(ctx context.Context, r Range, cfg PersonaConfig) ([]Persona, error) {
	if err := r.Check(); err != nil {
		return nil, err
	}
	tallies, ok, err := m.windowPersonas(ctx, r, cfg)
	if err != nil {
		return nil, err
	}
	if !ok {
		if tallies, err = m.countPersonas(ctx, r, cfg); err != nil {
			return nil, err
		}
	}
	year := r.To.Time().Year()
	out := make([]Persona, 0, len(Populations))
	for i, pop := range Populations {
		out = append(out, tallies[i].persona(pop, year, cfg))
	}
	return out, nil
}

// countPersonas reads the persona fields of each population of r.
func (m *Metrics) countPersonas(ctx context.Context, r Range, cfg PersonaConfig) ([]*tally, error) {
	members := map[string]string{
		"active":   "SELECT DISTINCT user_id FROM analytics_active WHERE day BETWEEN ? AND ?",
		"creators": fmt.Sprintf("SELECT DISTINCT item FROM analytics_items WHERE item_type = %d AND kind = %d AND day BETWEEN ? AND ?", ItemCreator, Publish),
		"buyers":   "SELECT DISTINCT user_id FROM analytics_orders WHERE paid_day BETWEEN ? AND ? AND paid > 0",
	}
	year := r.To.Time().Year()
	out := make([]*tally, 0, len(Populations))
	for _, pop := range Populations {
		rows, err := m.q(ctx).Query(ctx, `SELECT gender, birth_year, region, follower_count, role FROM users WHERE id IN (`+members[pop]+`)`,
			int(r.From), int(r.To))
		if err != nil {
			return nil, err
		}
		t := newTally()
		for rows.Next() {
			var u personaFields
			if err := rows.Scan(&u.gender, &u.birthYear, &u.region, &u.followers, &u.role); err != nil {
				rows.Close()
				return nil, err
			}
			t.add(u, year, cfg)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// personaFields are the private persona fields of one user.
type personaFields struct {
	gender, region, role string
	birthYear            int
	followers            int64
}

// tally counts one population per dimension; ages stay birth years until
// the range's year turns them into bands.
type tally struct {
	total                    int64
	gender, region, segments map[string]int64
	birthYear                map[int]int64
}

func newTally() *tally {
	return &tally{gender: map[string]int64{}, region: map[string]int64{}, segments: map[string]int64{}, birthYear: map[int]int64{}}
}

// add counts u; year is the range's last year (segments are by age).
func (t *tally) add(u personaFields, year int, cfg PersonaConfig) {
	t.total++
	g := u.gender
	if g == "" {
		g = "unknown"
	}
	t.gender[g]++
	t.birthYear[max(u.birthYear, 0)]++
	reg := strings.TrimSpace(u.region)
	if reg == "" {
		reg = "unknown"
	}
	t.region[reg]++
	for _, s := range cfg.Segments {
		a := year - u.birthYear
		if u.birthYear > 0 && a >= s.MinAge && a <= s.MaxAge && (s.Gender == "" || s.Gender == g) && (s.Region == "" || s.Region == reg) {
			t.segments[s.Name]++
		}
	}
	if cfg.KOLFollowers > 0 && u.followers >= cfg.KOLFollowers {
		t.segments["kol"]++
	}
	if u.role == accounts.RoleMerchant || u.role == accounts.RoleBrand {
		t.segments["merchant"]++
	}
}

// persona is the suppressed distributions of the tally.
func (t *tally) persona(pop string, year int, cfg PersonaConfig) Persona {
	age := map[string]int64{}
	for by, n := range t.birthYear {
		age[ageBand(by, year)] += n
	}
	p := Persona{Population: pop, Users: shown(t.total)}
	if t.total < MinCell {
		p.Gender, p.Age, p.Region, p.Segments = []Cell{}, []Cell{}, []Cell{}, []Cell{}
		return p
	}
	p.Gender = suppress(cells(t.gender, append(slices.Clone(accounts.Genders[1:]), "unknown")))
	p.Age = suppress(cells(age, AgeBands))
	p.Region = suppress(cells(t.region, nil))
	segKeys := []string{}
	for _, s := range cfg.Segments {
		segKeys = append(segKeys, s.Name)
	}
	// Segments overlap (a KOL may be a student): each is suppressed on its own.
	p.Segments = suppressEach(cells(t.segments, append(segKeys, "kol", "merchant")))
	return p
}

func shown(n int64) *int64 {
	if n < MinCell {
		return nil
	}
	return &n
}

// cells lists counts in the order of keys (all of them, even zero), or
// largest first when keys is nil.
func cells(counts map[string]int64, keys []string) []Cell {
	if keys == nil {
		for k := range counts {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, func(a, b string) int {
			if counts[a] != counts[b] {
				return int(counts[b] - counts[a])
			}
			return strings.Compare(a, b)
		})
	}
	out := make([]Cell, len(keys))
	for i, k := range keys {
		n := counts[k]
		out[i] = Cell{Key: k, Users: &n}
	}
	return out
}

// suppress hides every cell under MinCell users (an empty cell is shown:
// it reveals nobody). The cells add up to total, so a single hidden cell
// could be worked out from the others: then the smallest shown cell is
// hidden too (complementary suppression).
func suppress(cs []Cell) []Cell {
	hidden, hiddenSum := 0, int64(0)
	for i := range cs {
		if n := *cs[i].Users; n > 0 && n < MinCell {
			hidden++
			hiddenSum += n
			cs[i].Users = nil
		}
	}
	if hidden > 0 && hiddenSum < MinCell {
		// The hidden users together are a group under MinCell that
		// total − shown would reveal: hide the smallest shown cell with them.
		best := -1
		for i := range cs {
			if cs[i].Users != nil && *cs[i].Users > 0 && (best < 0 || *cs[i].Users < *cs[best].Users) {
				best = i
			}
		}
		if best >= 0 {
			cs[best].Users = nil
		}
	}
	return cs
}

func suppressEach(cs []Cell) []Cell {
	for i := range cs {
		if n := *cs[i].Users; n > 0 && n < MinCell {
			cs[i].Users = nil
		}
	}
	return cs
}
