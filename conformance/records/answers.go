package records

import (
	"math"
	"slices"
)

// Answers is how a run's limiter answers, read from the run's statuses
// (AnswerReader): which answers are its decisions and which are server
// errors of what stands behind it.
//
// A limiter that answers 429 decides with it, so its requests answered 500,
// 502, 504 and the like met a server error (an upstream that failed after
// the limiter counted them, or before it saw them), not a decision. 503 is
// both: the status limiters are configured to answer (nginx's
// limit_req_status by default: beside 429s, a second limiter's decision),
// and the one an overloaded upstream answers. When they came tells them
// apart: a limiter's only while it limits, an upstream's whenever requests
// are admitted. Without a 429 every 5xx is a decision: a limiter answering
// 503 or 500, which limit.status judges.
type Answers struct {
	Limits429 bool // the limiter answered some request 429
	// Limits503 says that, beside 429s, the run's 503s are the limiter's
	// too: they came only while it limited, and so often there that an
	// upstream's would have shown elsewhere too.
	Limits503 bool
	// Unsure503 says the run's 503s beside 429s came only while the
	// limiter limited, but too few for the run to tell whose they are:
	// they are taken for server errors, and limit.status cannot pass.
	Unsure503 bool
}

// Decided reports whether a request's answer is the limiter's decision
// (Judged), not a server error beside its 429s.
func (a Answers) Decided(status int32) bool {
	return Judged(status) && !(a.Limits429 && a.ServerError(status))
}

// ServerError reports whether status is a server error, one the limiter
// did not decide (a request answered so may have used quota): 500 and up,
// but a 503 the limiter answers (without 429s, or beside them).
func (a Answers) ServerError(status int32) bool {
	return status >= 500 && (status != 503 || a.Limits429 && !a.Limits503)
}

// surely is how unlikely a run must make an upstream's 503s (none while
// the limiter did not limit, though as many admissions there as there
// were) to call them the limiter's.
const surely = 0.01

// AnswerReader reads Answers from a run's statuses, client by client (Key).
// Window is the limit's: a request sent within a window of a 429 of its
// client was sent while the limiter limited; the others were quiet.
type AnswerReader struct {
	Window int64

	saw429                                       bool
	quietAdm, quiet503, limitingAdm, limiting503 int
	next429                                      []int64 // scratch
}

// Key reads one client's n answers in send order: at(i) is the i-th's send
// time and status.
func (r *AnswerReader) Key(n int, at func(i int) (sent int64, status int32)) {
	any503 := false
	for i := range n {
		switch _, st := at(i); st {
		case 429:
			r.saw429 = true
		case 503:
			any503 = true
		}
	}
	if !any503 {
		return
	}
	r.next429 = slices.Grow(r.next429[:0], n)[:n]
	next := int64(math.MaxInt64)
	for i := n - 1; i >= 0; i-- {
		r.next429[i] = next
		if sent, st := at(i); st == 429 {
			next = sent
		}
	}
	last, seen := int64(0), false
	for i := range n {
		sent, st := at(i)
		limiting := seen && sent-last <= r.Window || r.next429[i]-sent <= r.Window
		if st == 429 {
			last, seen = sent, true
		}
		switch {
		case st == 503 && limiting:
			r.limiting503++
		case st == 503:
			r.quiet503++
		case Admitted(st) && limiting:
			r.limitingAdm++
		case Admitted(st):
			r.quietAdm++
		}
	}
}

// Answers is what the clients read say. Beside 429s, a 503 while the
// limiter did not limit is an upstream's, so all are taken for server
// errors; with none there, the 503s are the limiter's when an upstream
// failing as often as they came would have failed some of the quiet
// admissions too (surely), and unsure otherwise.
func (r *AnswerReader) Answers() Answers {
	switch {
	case !r.saw429 || r.quiet503+r.limiting503 == 0:
		return Answers{Limits429: r.saw429, Limits503: true}
	case r.quiet503 > 0:
		return Answers{Limits429: true}
	}
	p := float64(r.limiting503) / float64(r.limitingAdm+r.limiting503)
	if math.Pow(1-p, float64(r.quietAdm)) < surely {
		return Answers{Limits429: true, Limits503: true}
	}
	return Answers{Limits429: true, Unsure503: true}
}

// Answers reads how the limiter answered the records kept so far, sorting
// each client's by send time (SortBySend) to read them.
func (c *Collector) Answers() Answers {
	var r AnswerReader
	if c.Limit != nil {
		r.Window = int64(c.Limit.Window)
	}
	for _, recs := range c.ByKey {
		SortBySend(recs)
		r.Key(len(recs), func(i int) (int64, int32) { return recs[i].Sent, recs[i].Status })
	}
	return r.Answers()
}
