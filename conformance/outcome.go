package conformance

// outcome is the model's judgement of one request, conditioned on what the
// server decided for the requests before it.
type outcome uint8

// The outcomes. A model evaluation produces admitOK, admitOver, rejectOK and
// rejectWrong; classify splits rejectWrong into rejectEarly and rejectRecovery.
const (
	admitOK        outcome = iota // admitted, and the model allows it
	admitOver                     // admitted beyond the limit, whatever the exact arrival times
	rejectOK                      // rejected, and the model says it may be over the limit
	rejectWrong                   // rejected although the model admits it at every possible arrival
	rejectEarly                   // a wrongful rejection that is not a late recovery
	rejectRecovery                // a wrongful rejection while the limit should have lifted
	unjudged                      // the answer was no rate-limit decision
)

// violation reports whether the outcome breaks the model.
func (o outcome) violation() bool {
	return o == admitOver || o == rejectWrong || o == rejectEarly || o == rejectRecovery
}

// detail is what evidence needs to explain one judgement.
type detail struct {
	ref   int32   // admitOver: index of the first request of the window or set; -1 when none
	rank  int32   // admitOver: admitted requests in that window or set, this one included
	start int64   // admitOver: start of the window or set (ns since the first observation)
	level float64 // rejections: admitted requests counted (windows, log) or tokens left (bucket)
}

// stateEval is a model's judgement of one series.
type stateEval struct {
	out []outcome
	det []detail // nil until a judgement needs one (see d); a run without violations or rejections needs none
	// pointOver and pointWrong count the over-admissions and wrongful
	// rejections the point model finds (see point_model.go).
	pointOver, pointWrong int
	// ambAdm are the admissions the point model blames and the tolerant model
	// does not: over-admissions the timing tolerance may hide (see
	// cleanEpisodes).
	ambAdm []int32
	// ambRej are the rejections the point model blames and the tolerant
	// model holds were limiting (rejectOK): wrongful rejections the timing
	// tolerance may hide.
	ambRej []int32
	// counting is set when only the outcomes are read (the fingerprint's
	// candidate models): admissions keep no detail, see overDetail.
	counting bool
	sink     detail
}

// newStateEval makes the state of s to judge, counted only (no details of
// admissions) when a is.
func (a *rules) newStateEval(s *series) stateEval {
	e := newStateEval(s)
	e.counting = a.counting
	return e
}

func newStateEval(s *series) stateEval {
	n := len(s.reqs)
	e := stateEval{out: make([]outcome, n)}
	for i := range e.out {
		if !s.known[i] {
			e.out[i] = unjudged
		}
	}
	return e
}

// d returns request i's detail to fill in, allocating every request's detail
// on first use: most runs judge many requests and explain few.
func (e *stateEval) d(i int) *detail {
	if e.det == nil {
		e.det = make([]detail, len(e.out))
		for k := range e.det {
			e.det[k].ref = -1
		}
	}
	return &e.det[i]
}

// overDetail returns admission i's detail to fill in: d(i), or a scratch
// detail when the evaluation is only counted. Rejections keep their details
// either way; their classification reads them.
func (e *stateEval) overDetail(i int) *detail {
	if e.counting {
		return &e.sink
	}
	return e.d(i)
}

// detOf returns request i's detail, with ref −1 when none was filled in.
func (e *stateEval) detOf(i int) detail {
	if e.det == nil {
		return detail{ref: -1}
	}
	return e.det[i]
}

// violations counts the requests that break the model.
func (e *stateEval) violations() int {
	n := 0
	for _, o := range e.out {
		if o.violation() {
			n++
		}
	}
	return n
}

// evaluation is one model's judgement of a whole run.
type evaluation struct {
	family family
	desc   string      // the model and its parameters, e.g. "fixed-window, clock-aligned at +0.370 s"
	phase  int64       // counters: where windows start, ns since the first observation mod W
	align  *alignment  // where the windows start on the clock; nil for windows chained from a first request
	states []stateEval // one per series
	wins   [][]window  // window families: the windows of each series
	// worst is the largest admitted count the model found in one window
	// (fixed windows only; 0 for the other families).
	worst int64
	sc    *score // cached by score
}

// score ranks the explanations of a run; the most favourable is the least.
// Any explanation without violations beats every other, so a correct limiter
// passes whenever one alignment or family explains it. Among explanations that
// blame the server, the one blaming the fewest kinds of fault (over-admission,
// early rejection, late recovery) comes first, then the fewest episodes (runs of
// consecutive requests breaking the model the same way), then the fewest
// violations: a misplaced window must not pass off a limiter that rejects early
// in every window as a few over-admissions followed by late recoveries.
type score struct{ kinds, episodes, violations int }

func (a score) less(b score) bool {
	if a.kinds != b.kinds {
		return a.kinds < b.kinds
	}
	if a.violations != b.violations {
		return a.violations < b.violations
	}
	return a.episodes < b.episodes
}

func (ev *evaluation) score() score {
	if ev.sc == nil {
		sc := ev.computeScore()
		ev.sc = &sc
	}
	return *ev.sc
}

func (ev *evaluation) computeScore() score {
	var sc score
	seen := map[outcome]bool{}
	for i := range ev.states {
		var prev outcome
		for _, o := range ev.states[i].out {
			if !o.violation() {
				prev = admitOK
				continue
			}
			sc.violations++
			if !seen[o] {
				seen[o] = true
				sc.kinds++
			}
			if k := kindOf(o); k != prev {
				sc.episodes++
				prev = k
			}
		}
	}
	return sc
}

// kindOf maps a violation to its kind: admitOver or rejectWrong.
func kindOf(o outcome) outcome {
	if o == admitOver {
		return admitOver
	}
	return rejectWrong
}
