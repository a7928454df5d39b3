package check

import (
	"cmp"
	"slices"
	"sort"
)

// Blames are the requests the limiter model blames, each with the check that
// fails it: an over-admission limit.enforced, an early rejection
// limit.no-early-reject, a late recovery recovery.after-window. Each of those
// checks fails whenever it has one such request, so a check that finds the
// same defect in what the responses say can point there instead of failing
// again (one defect, one failing check).
type Blames struct {
	bySeq  map[uint64]ID
	bySent []blame    // ascending by send time, once Sort was called
	byID   map[ID]int // how many requests each check blames
	// undecided are the model checks that could not decide whether their
	// defect is there (Result.Undecided): a finding it would explain is
	// theirs to leave undecided, not another check's to fail.
	undecided []ID
}

// blame is one blamed request.
type blame struct {
	sent int64 // Unix nanoseconds
	id   ID
}

// A Blamer is a checker that defers to the model checks: it is handed the
// run's blames, computed when it first needs them.
type Blamer interface {
	DeferTo(blamed func() Blames)
}

// Add records that the request seq, sent at sent, is blamed by id; a request
// already blamed keeps its first check.
func (b *Blames) Add(seq uint64, sent int64, id ID) {
	if b.bySeq == nil {
		b.bySeq = map[uint64]ID{}
	}
	if _, ok := b.bySeq[seq]; ok {
		return
	}
	b.bySeq[seq] = id
	b.bySent = append(b.bySent, blame{sent: sent, id: id})
	if b.byID == nil {
		b.byID = map[ID]int{}
	}
	b.byID[id]++
}

// Sort orders the blamed requests by send time, for Near; call it once all
// are added.
func (b *Blames) Sort() {
	slices.SortFunc(b.bySent, func(x, y blame) int { return cmp.Compare(x.sent, y.sent) })
}

// MarkUndecided records that check id could not decide whether its defect
// is there.
func (b *Blames) MarkUndecided(id ID) {
	if !slices.Contains(b.undecided, id) {
		b.undecided = append(b.undecided, id)
	}
}

// Undecided reports whether check id could not decide whether its defect is
// there.
func (b Blames) Undecided(id ID) bool { return slices.Contains(b.undecided, id) }

// Empty reports whether no request is blamed and no check is undecided.
func (b Blames) Empty() bool { return len(b.bySeq) == 0 && len(b.undecided) == 0 }

// Of returns the check that blames the request seq, if one does.
func (b Blames) Of(seq uint64) (ID, bool) {
	id, ok := b.bySeq[seq]
	return id, ok
}

// Blames reports whether some blamed request is blamed by id.
func (b Blames) Blames(id ID) bool { return b.byID[id] > 0 }

// Near returns the check of the first request, in send order, blamed by one
// of ids and sent within window of at (Unix nanoseconds), if there is one.
func (b Blames) Near(at, window int64, ids ...ID) (ID, bool) {
	from := sort.Search(len(b.bySent), func(k int) bool { return b.bySent[k].sent >= at-window })
	for k := from; k < len(b.bySent) && b.bySent[k].sent <= at+window; k++ {
		if slices.Contains(ids, b.bySent[k].id) {
			return b.bySent[k].id, true
		}
	}
	return "", false
}

// BlameSummary is what Blames say of each check without the requests: which
// checks blame a request, which could not decide. It stays small however
// many requests are blamed.
type BlameSummary struct {
	blamed, undecided []ID
}

// NewBlameSummary is the summary of blames by the checks blamed, each
// blaming a request, and those left undecided (in that order), for a
// caller that has not listed the requests: what Summary says of them.
func NewBlameSummary(blamed, undecided []ID) BlameSummary {
	var s BlameSummary
	for _, id := range blamed {
		if !slices.Contains(s.blamed, id) {
			s.blamed = append(s.blamed, id)
		}
	}
	slices.Sort(s.blamed)
	s.undecided = slices.Clone(undecided)
	return s
}

// Summary is what b says of each check.
func (b Blames) Summary() BlameSummary {
	var s BlameSummary
	for id, n := range b.byID {
		if n > 0 {
			s.blamed = append(s.blamed, id)
		}
	}
	slices.Sort(s.blamed)
	s.undecided = slices.Clone(b.undecided)
	return s
}

// Union is what s and t say together.
func (s BlameSummary) Union(t BlameSummary) BlameSummary {
	return BlameSummary{blamed: union(s.blamed, t.blamed), undecided: union(s.undecided, t.undecided)}
}

// With returns b with what s says added: each check s blames blames (no
// request of b's), each it leaves undecided is undecided. b is not changed.
func (b Blames) With(s BlameSummary) Blames {
	if len(s.blamed) == 0 && len(s.undecided) == 0 {
		return b
	}
	out := b
	out.byID = make(map[ID]int, len(b.byID)+len(s.blamed))
	for id, n := range b.byID {
		out.byID[id] = n
	}
	for _, id := range s.blamed {
		out.byID[id] = max(out.byID[id], 1)
	}
	out.undecided = union(b.undecided, s.undecided)
	return out
}

// union is a's ids, then those of b not among them, in a new slice.
func union(a, b []ID) []ID {
	out := slices.Clone(a)
	for _, id := range b {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}
