package contract

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/conformance/response"
	"github.com/ratecheck/ratecheck/headers"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

// quotaHeaders reads what the rate-limit headers claim about the quota they
// describe, across the phases judged by the model (not the contract phases),
// for one series: the default key's requests for a per-key quota, every
// request for a global or per-IP one.
type quotaHeaders struct {
	pr       response.Promise
	key      string // the series' key id; "" for every request
	admitted []span // the series' admitted requests counted by the quota
	first    *quotaClaim
	last     *quotaClaim
	limitBad *results.Observation // the first Limit header that is not the quota
	rose     bool                 // Remaining rose between two responses in seq order
	claims   []quotaClaim         // every Remaining read, for rises
	spent    int                  // 429s whose Remaining read 0: the quota ran out (quotaAttribution)
}

// span is one request's interval, from its send to its answer.
type span struct{ sent, received time.Time }

// quotaClaim is one response's Remaining.
type quotaClaim struct {
	seq       uint64
	remaining int64
	span
}

func newQuotaHeaders(pr response.Promise, p *plan.Plan) quotaHeaders {
	h := quotaHeaders{pr: pr}
	if pr.Described != nil && pr.PerKey && p != nil && p.Scenario != nil && len(p.Scenario.Auth.Keys) > 0 {
		h.key = p.Scenario.Auth.Keys[0].ID
	}
	return h
}

// observe reads o's headers when the described limit is a quota and counts o.
func (h *quotaHeaders) observe(o results.Observation) {
	d := h.pr.Described
	if d == nil || !d.IsQuota() || !d.Counts(o.Endpoint) || h.key != "" && o.KeyID != h.key {
		return
	}
	if o.Admitted() {
		h.admitted = append(h.admitted, span{o.Sent, o.Received()})
	}
	if h.pr.Remaining == "" && h.pr.Limit == "" {
		return
	}
	cl, _ := headers.Read(o.Headers, h.pr.Spec, o.Received())
	if cl.HasLimit && h.pr.Limit != "" && !d.Unlimited && cl.Limit != d.Requests && h.limitBad == nil {
		bad := o // a copy: the address of o itself would put every observation on the heap
		h.limitBad = &bad
	}
	if !cl.HasRemaining || h.pr.Remaining == "" {
		return
	}
	if o.Limited() && cl.Remaining == 0 {
		h.spent++
	}
	c := quotaClaim{seq: o.Seq, remaining: cl.Remaining, span: span{o.Sent, o.Received()}}
	h.claims = append(h.claims, c)
	if h.first == nil || c.seq < h.first.seq {
		h.first = &c
	}
	if h.last == nil || c.seq > h.last.seq {
		h.last = &c
	}
}

// judge judges quota q by the headers' claims, or says why it cannot.
func (h *quotaHeaders) judge(q *scenarios.Limit, p *plan.Plan) check.Result {
	res := check.Result{ID: check.QuotaEnforced, Limit: q.Name, Status: check.Skip}
	unexhausted := fmt.Sprintf("quota %s (%d per %s) was not exhausted: that costs the whole quota, which a run spends only on the built-in target (--target builtin)",
		q.Name, q.Requests, check.FormatWindow(q.Window))
	switch {
	case h.pr.Conv == headers.ConventionNone:
		res.Message = unexhausted + ", and the scenario promises no rate-limit headers to read it from"
		return res
	case h.pr.Described != q:
		res.Message = unexhausted + ", and the headers describe limit " + quote(h.pr.LimitName()) + ", not it"
		return res
	case h.limitBad != nil:
		res.See = check.HeadersLimit
		res.Message = fmt.Sprintf("%s; the Limit header does not state it (%s): see %s", unexhausted, h.limitBad.Headers[h.pr.Limit], check.HeadersLimit)
		return res
	case h.first == nil || h.last == nil || h.first.seq == h.last.seq:
		res.Message = unexhausted + ", and fewer than two responses carried its Remaining header"
		return res
	}
	h.sortClaims()
	if h.rose {
		res.Message = unexhausted + ", and its Remaining rose during the run (a new window began): its fall is not compared"
		return res
	}
	fall := h.first.remaining - h.last.remaining
	between, overlap := h.admittedBetween()
	exact := !p.Scenario.Headers.Approximate
	// The last claim's own request, when admitted, is counted in its Remaining.
	consistent := fall <= int64(between+overlap+1) && (!exact || fall >= int64(between-overlap))
	claim := fmt.Sprintf("Remaining fell from %d to %d while %d requests were admitted in between", h.first.remaining, h.last.remaining, between)
	switch {
	case !consistent:
		res.See = check.HeadersRemaining
		res.Message = fmt.Sprintf("%s; %s: the headers' claims are not consistent: see %s", unexhausted, claim, check.HeadersRemaining)
	case fall <= 0:
		res.Message = fmt.Sprintf("%s; %s: an approximate Remaining that never fell shows nothing of the count", unexhausted, claim)
		if exact {
			res.Message = fmt.Sprintf("%s; %s", unexhausted, claim)
		}
	default:
		res.Status = check.Pass
		how := "exactly"
		if !exact {
			how = fmt.Sprintf("within the declared staleness %s", check.FormatWindow(p.Scenario.Headers.Staleness))
		}
		why := fmt.Sprintf(" (%s was not exhausted: that costs the whole quota)", q.Name)
		if h.spent > 0 {
			why = "" // it ran out all the same: said below
		}
		res.Message = fmt.Sprintf("quota %s judged by the headers' claims%s: %s, %s", q.Name, why, claim, how)
	}
	if h.spent > 0 {
		res.Message += fmt.Sprintf("; %s came with Remaining 0: the quota ran out during the run, and they were held against it, not against the limit under test",
			check.Plural(h.spent, "429", "429s"))
	}
	return res
}

// sortClaims orders the claims by seq and notes a rise of Remaining.
func (h *quotaHeaders) sortClaims() {
	slices.SortFunc(h.claims, func(a, b quotaClaim) int { return cmp.Compare(a.seq, b.seq) })
	for i := 1; i < len(h.claims); i++ {
		// A rise beyond the requests in flight together is a new window.
		if h.claims[i].remaining > h.claims[i-1].remaining+int64(len(h.admitted)/10+32) {
			h.rose = true
		}
	}
}

// admittedBetween counts the admitted requests answered after the first
// claim was sent and sent before the last claim was answered, and how many
// of them overlap either claim's request (in flight with it: the server may
// have counted them on either side).
func (h *quotaHeaders) admittedBetween() (between, overlap int) {
	for _, a := range h.admitted {
		if a == h.first.span || a == h.last.span {
			continue // the claims' own requests
		}
		if !a.received.After(h.first.sent) || !a.sent.Before(h.last.received) {
			continue
		}
		switch {
		case a.sent.Before(h.first.received) || a.received.After(h.last.sent):
			overlap++
		default:
			between++
		}
	}
	return between, overlap
}
