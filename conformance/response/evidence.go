package response

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/results"
)

// offense is one offending response, kept until a result lists it. It holds
// no offset: the earliest request of the run may arrive later.
type offense struct {
	seq     uint64
	phase   int32
	sent    int64 // Unix nanoseconds
	latency int64
	status  int
	headers map[string]string
	note    string
}

// offenseOf records o as an offense with the given headers and note.
func offenseOf(o results.Observation, h map[string]string, note string) offense {
	return offense{seq: o.Seq, phase: int32(o.Phase), sent: o.Sent.UnixNano(), latency: int64(o.Latency),
		status: o.Status, headers: h, note: note}
}

// before orders offenses by send time, then sequence number.
func (x offense) before(y offense) bool {
	if x.sent != y.sent {
		return x.sent < y.sent
	}
	return x.seq < y.seq
}

// offenders counts findings and keeps the earliest maxEvidence of them, so the
// evidence is the same whatever order the observations came in. A finding is
// one offending response, or a few that prove it together (the response that
// made a claim, then the one that contradicts it); it is ordered by its last.
type offenders struct {
	n    int
	list [][]offense
}

// add counts one finding and keeps it if it is among the earliest.
func (f *offenders) add(xs ...offense) {
	f.n++
	i, _ := slices.BinarySearchFunc(f.list, xs, func(g, xs []offense) int {
		if groupBefore(g, xs) {
			return -1
		}
		return 1
	})
	if i >= check.MaxEvidence {
		return
	}
	f.list = slices.Insert(f.list, i, xs)
	if len(f.list) > check.MaxEvidence {
		f.list = f.list[:check.MaxEvidence]
	}
}

// groupBefore orders findings by their last response, then their first.
func groupBefore(g, h []offense) bool {
	a, b := g[len(g)-1], h[len(h)-1]
	if a.seq != b.seq || a.sent != b.sent {
		return a.before(b)
	}
	return g[0].before(h[0])
}

// firstNote is the note of the earliest finding's last response, or "".
func (f *offenders) firstNote() string {
	if len(f.list) == 0 {
		return ""
	}
	g := f.list[0]
	return g[len(g)-1].note
}

// respProblem is one kind of failure a check found: a summary for the message
// and the offending responses.
type respProblem struct {
	summary string
	found   offenders
}

// respFailure builds a failing result from the problems that have offenders:
// their summaries joined into the message, and as evidence the earliest
// findings of each in turn, maxEvidence requests in all. A request in two
// findings (the 429 that contradicts one claim and makes the next) is listed
// once, with the first note it was given.
func respFailure(res check.Result, pr *Promise, origin int64, expected string, problems []*respProblem) check.Result {
	var summaries []string
	ev := &check.Evidence{Expected: expected}
	at := map[uint64]int{} // seq -> index in ev.Requests
	for _, p := range problems {
		if p.found.n == 0 {
			continue
		}
		summaries = append(summaries, p.summary)
		listed := 0
		for _, g := range p.found.list {
			fresh := 0
			for _, x := range g {
				if _, ok := at[x.seq]; !ok {
					fresh++
				}
			}
			if len(ev.Requests)+fresh > check.MaxEvidence {
				break
			}
			for _, x := range g {
				if i, ok := at[x.seq]; ok {
					if ev.Requests[i].Note == "" {
						ev.Requests[i].Note = x.note
					}
					continue
				}
				at[x.seq] = len(ev.Requests)
				ev.Requests = append(ev.Requests, x.evidence(pr, origin))
			}
			listed++
		}
		ev.Omitted += p.found.n - listed
	}
	res.Status, res.Message, res.Evidence = check.Fail, strings.Join(summaries, "; "), ev
	return res
}

// anyFailed reports whether any problem has offenders.
func anyFailed(problems []*respProblem) bool {
	for _, p := range problems {
		if p.found.n > 0 {
			return true
		}
	}
	return false
}

// evidence writes x as it appears in a report.
func (x offense) evidence(pr *Promise, origin int64) check.RequestEvidence {
	return check.RequestEvidence{
		Seq:     x.seq,
		Phase:   pr.phaseName(x.phase),
		Sent:    time.Unix(0, x.sent).UTC(),
		Offset:  time.Duration(x.sent - origin),
		Latency: time.Duration(x.latency),
		Status:  x.status,
		Headers: x.headers,
		Note:    x.note,
	}
}

// ofResponses writes "12 of 160 responses".
func ofResponses(n, total int) string {
	return fmt.Sprintf("%d of %s", n, check.Plural(total, "response", "responses"))
}
