package recommend

// rowIndex locates compressed rows of at most 255 entries: each row's
// length in a byte and the offset of every rowBlock-th row, 1.1 bytes a
// row where an []int32 of offsets takes 4 (3 MiB saved per million rows;
// finding a row adds at most rowBlock−1 lengths).
type rowIndex struct {
	base  []int32 // offset of row rowBlock·k
	n     []uint8 // each row's length
	total int32
}

const rowBlock = 32

// push appends a row of n entries (n ≤ 255).
func (r *rowIndex) push(n int) {
	if n > 255 {
		panic("recommend: row longer than 255")
	}
	if len(r.n)%rowBlock == 0 {
		r.base = append(r.base, r.total)
	}
	r.n = append(r.n, uint8(n))
	r.total += int32(n)
}

func (r *rowIndex) rows() int { return len(r.n) }

// bounds returns row i's entries as [start, end).
func (r *rowIndex) bounds(i int32) (int32, int32) {
	k := i / rowBlock
	o := r.base[k]
	for _, l := range r.n[k*rowBlock : i] {
		o += int32(l)
	}
	return o, o + int32(r.n[i])
}

func (r *rowIndex) bytes() int64 { return int64(cap(r.base))*4 + int64(cap(r.n)) }

// topicRows are the notes' topic indexes: a rowIndex, and the indexes as
// uint16 while a catalogue has at most 65,536 topics (int32 beyond).
type topicRows struct {
	off rowIndex
	t16 []uint16
	t32 []int32
}

func newTopicRows(notes, entries, topics int) *topicRows {
	r := &topicRows{off: rowIndex{base: make([]int32, 0, notes/rowBlock+1), n: make([]uint8, 0, notes)}}
	if topics <= 1<<16 {
		r.t16 = make([]uint16, 0, entries)
	} else {
		r.t32 = make([]int32, 0, entries)
	}
	return r
}

// add appends a topic to the row being built (endRow closes it).
func (r *topicRows) add(t int32) {
	if r.t32 == nil && t >= 1<<16 {
		r.t32 = make([]int32, len(r.t16), cap(r.t16))
		for x, v := range r.t16 {
			r.t32[x] = int32(v)
		}
		r.t16 = nil
	}
	if r.t32 != nil {
		r.t32 = append(r.t32, t)
	} else {
		r.t16 = append(r.t16, uint16(t))
	}
}

func (r *topicRows) entries() int { return len(r.t16) + len(r.t32) }

// endRow closes the row of the topics added since the last one.
func (r *topicRows) endRow() { r.off.push(r.entries() - int(r.off.total)) }

// row returns note i's topics, copied into buf (never the catalog's own
// memory, so a caller may keep buf = row(i, buf) for the next call).
func (r *topicRows) row(i int32, buf []int32) []int32 {
	a, b := r.off.bounds(i)
	buf = buf[:0]
	if r.t32 != nil {
		return append(buf, r.t32[a:b]...)
	}
	for _, t := range r.t16[a:b] {
		buf = append(buf, int32(t))
	}
	return buf
}

func (r *topicRows) bytes() int64 {
	return r.off.bytes() + int64(cap(r.t16))*2 + int64(cap(r.t32))*4
}
