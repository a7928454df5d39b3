package series

import (
	"math"
	"sync"
)

// Outcome is the model's judgement of one request, conditioned on what the
// server decided for the requests before it.
type Outcome uint8

// The outcomes. A model evaluation produces admitOK, admitOver, rejectOK and
// rejectWrong; classify splits rejectWrong into rejectEarly and rejectRecovery.
const (
	AdmitOK        Outcome = iota // admitted, and the model allows it
	AdmitOver                     // admitted beyond the limit, whatever the exact arrival times
	RejectOK                      // rejected, and the model says it may be over the limit
	RejectWrong                   // rejected although the model admits it at every possible arrival
	RejectEarly                   // a wrongful rejection that is not a late recovery
	RejectRecovery                // a wrongful rejection while the limit should have lifted
	unjudged                      // the answer was no rate-limit decision
)

// Violation reports whether the outcome breaks the model.
func (o Outcome) Violation() bool {
	return o == AdmitOver || o == RejectWrong || o == RejectEarly || o == RejectRecovery
}

// NoWindow is the Start of a rejection's Detail when it arrived in no
// window: after the last expired, before a request opened the next.
const NoWindow = math.MinInt64

// Detail is what evidence needs to explain one judgement.
type Detail struct {
	Ref   int32   // admitOver: index of the first request of the window or set; -1 when none
	Rank  int32   // admitOver: admitted requests in that window or set, this one included
	Start int64   // admitOver: start of the window or set (ns since the first observation)
	Level float64 // rejections: admitted requests counted (windows, log) or tokens left (bucket)
}

// StateEval is a model's judgement of one series.
type StateEval struct {
	Out []Outcome
	// det holds the details, each Ref one more than said (so that a fresh
	// slice reads −1 everywhere without being filled); nil until a
	// judgement needs one (see setDetail): a run without violations or
	// rejections needs none. A counted evaluation keeps only its rejections'
	// levels, in lvl, which is all its classification reads.
	det []Detail
	lvl []float64
	// pointOver and pointWrong count the over-admissions and wrongful
	// rejections the point model finds (see point_model.go).
	PointOver, PointWrong int
	// ambAdm are the admissions the point model blames and the tolerant model
	// does not: over-admissions the timing tolerance may hide (see
	// cleanEpisodes).
	AmbAdm []int32
	// ambRej are the rejections the point model blames and the tolerant
	// model holds were limiting (rejectOK): wrongful rejections the timing
	// tolerance may hide.
	AmbRej []int32
	// counting is set when only the outcomes are read (the fingerprint's
	// candidate models): admissions keep no detail, rejections their level
	// alone.
	Counting bool
	// overs are a counted bucket judgement's over-admissions, with what
	// their details need (BucketExplained): 12 bytes each, where a detail
	// is 24 for every request.
	overs []overNote
}

// overNote is an over-admission of a counted bucket judgement: the request,
// the first of the set it crowds and its rank among them.
type overNote struct{ i, first, rank int32 }

// NewStateEval returns the state to judge s in: every request unjudged that
// got no rate-limit decision, the others admitOK until judged.
func NewStateEval(s *Series) StateEval {
	n := len(s.Reqs)
	e := StateEval{Out: make([]Outcome, n)}
	for i := range e.Out {
		if !s.Known[i] {
			e.Out[i] = unjudged
		}
	}
	return e
}

// setDetail fills in request i's detail. The details of every request are
// allocated on first use: most runs judge many requests and explain few.
func (e *StateEval) setDetail(i int, d Detail) {
	if e.det == nil {
		e.det = make([]Detail, len(e.Out))
	}
	d.Ref++
	e.det[i] = d
}

// overDetail fills in admission i's detail, unless the evaluation is only
// counted.
func (e *StateEval) overDetail(i int, d Detail) {
	if !e.Counting {
		e.setDetail(i, d)
	}
}

// rejected fills in rejection i's detail: the level it was judged at, and
// where the window or set it was judged in starts. A counted evaluation
// keeps the level alone; its classification reads nothing else.
func (e *StateEval) rejected(i int, level float64, start int64) {
	if e.Counting {
		if e.lvl == nil {
			e.lvl = takeLevels(len(e.Out))
		}
		e.lvl[i] = level
		return
	}
	e.setDetail(i, Detail{Ref: -1, Level: level, Start: start})
}

// Forget drops the details: the evaluation is only counted from now on.
// The levels of a counted evaluation go back to be reused: nothing may
// hold on to them (DetOf returns copies).
func (e *StateEval) Forget() {
	if lvl := e.lvl; lvl != nil {
		levelLists.Put(&lvl)
	}
	e.det, e.lvl, e.overs, e.Counting = nil, nil, nil, true
}

// levelLists are the level lists of counted evaluations forgotten, for
// the next ones: every alignment and candidate model judged lists a level
// for every request, a seventh of what re-judging a run allocated.
var levelLists sync.Pool

// takeLevels returns n zero levels, from levelLists when it has a list
// long enough.
func takeLevels(n int) []float64 {
	if buf, ok := levelLists.Get().(*[]float64); ok && cap(*buf) >= n {
		lvl := (*buf)[:n]
		clear(lvl)
		return lvl
	}
	return make([]float64, n)
}

// DetOf returns request i's detail, with ref −1 when none was filled in.
func (e *StateEval) DetOf(i int) Detail {
	switch {
	case e.det != nil:
		d := e.det[i]
		d.Ref--
		return d
	case e.lvl != nil:
		return Detail{Ref: -1, Level: e.lvl[i]}
	}
	return Detail{Ref: -1}
}

// Violations counts the requests that break the model.
func (e *StateEval) Violations() int {
	n := 0
	for _, o := range e.Out {
		if o.Violation() {
			n++
		}
	}
	return n
}
