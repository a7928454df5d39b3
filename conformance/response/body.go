package response

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/conformance/records"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
)

// BodyCut is the length at which the attack cuts a body snippet (its
// DefaultMaxBody): a snippet this long that ends mid-JSON was cut, not sent
// broken, and is not judged.
const BodyCut = 1024

// maxBodyQuote is how much of a body a note quotes.
const maxBodyQuote = 120

// bodyChecker judges body.error-format: every response with a status the
// scenario declares a body for has a JSON body matching that shape, and a
// JSON Content-Type when it names one. It sees the auth phases' 401s and
// 403s too (see checks).
type bodyChecker struct {
	pr Promise
	respTally
	shapes   map[int]any // declared bodies by status
	byStatus map[int]int // responses judged, by status
	judged   int
	cut      int // bodies cut mid-JSON, not judged
	bad      respProblem
}

var _ check.Checker = (*bodyChecker)(nil)

// NewBodyChecker returns the checker of body.error-format.
func NewBodyChecker(p *plan.Plan, _ *records.Collector) check.Checker {
	c := &bodyChecker{pr: NewPromise(p), shapes: map[int]any{}, byStatus: map[int]int{}}
	if c.pr.Scenario != nil {
		for _, e := range c.pr.Scenario.Errors {
			if e.Body != nil {
				c.shapes[e.Status] = e.Body
			}
		}
	}
	return c
}

// Observe matches o's body against the shape declared for its status.
func (c *bodyChecker) Observe(o results.Observation) {
	c.note(o)
	shape, ok := c.shapes[o.Status]
	if !ok {
		return
	}
	v, err := decodeBody(o.Body)
	if err != nil && len(o.Body) >= BodyCut && errors.Is(err, io.ErrUnexpectedEOF) {
		c.cut++
		return
	}
	c.judged++
	c.byStatus[o.Status]++
	quote := fmt.Sprintf("%d body %s", o.Status, strconv.Quote(cutSnippet(o.Body, maxBodyQuote)))
	if err != nil {
		c.bad.found.add(offenseOf(o, nil, fmt.Sprintf("%s: %v", quote, err)))
		return
	}
	if where, diff, ok := matchShape(shape, v, "$"); !ok {
		c.bad.found.add(offenseOf(o, nil, fmt.Sprintf("%s: %s (%s)", where, diff, quote)))
		return
	}
	if ct, ok := o.Header("Content-Type"); ok && !jsonMediaType(ct) {
		c.bad.found.add(offenseOf(o, nil, fmt.Sprintf("Content-Type %s, want application/json (%s)", strconv.Quote(cutSnippet(ct, maxLiteral)), quote)))
	}
}

// jsonMediaType reports whether a Content-Type names JSON: application/json
// or a type with the +json suffix, parameters aside.
func jsonMediaType(ct string) bool {
	mt, _, _ := strings.Cut(ct, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	return mt == "application/json" || strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json")
}

// decodeBody decodes one JSON value, numbers kept as json.Number.
func decodeBody(body string) (any, error) {
	if strings.TrimSpace(body) == "" {
		return nil, errors.New("empty, want a JSON body")
	}
	dec := json.NewDecoder(strings.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("not JSON: data after the first value")
	}
	return v, nil
}

// Result judges the bodies seen so far.
func (c *bodyChecker) Result() check.Result {
	res := check.Result{ID: check.BodyErrorFormat, Limit: c.pr.LimitName(), Status: check.Skip}
	declared := c.declared()
	switch {
	case c.pr.Scenario == nil:
		res.Message = "there is no plan to judge the run against"
		return res
	case len(declared) == 0:
		res.Message = "the scenario declares no error body shapes"
		return res
	case c.judged == 0 && c.cut == 0:
		res.Message = fmt.Sprintf("no response had a status with a declared body (declared: %s)", strings.Join(declared, ", "))
		return res
	case c.judged == 0:
		res.Message = fmt.Sprintf("all %s with a declared body were cut at %d bytes mid-JSON, so none was judged",
			check.Plural(c.cut, "body", "bodies"), BodyCut)
		return res
	}
	cut := ""
	if c.cut > 0 {
		cut = fmt.Sprintf("; %s cut at %d bytes mid-JSON not judged", check.Plural(c.cut, "body", "bodies"), BodyCut)
	}
	if c.bad.found.n > 0 {
		c.bad.summary = fmt.Sprintf("%d of %s with a declared shape did not match (first: %s)%s",
			c.bad.found.n, check.Plural(c.judged, "body", "bodies"), c.bad.found.firstNote(), cut)
		want := "a JSON body matching the shape declared for its status (" + strings.Join(declared, ", ") + ")"
		return respFailure(res, &c.pr, c.first, want, []*respProblem{&c.bad})
	}
	res.Status = check.Pass
	res.Message = fmt.Sprintf("all %s matched the declared shape (%s)%s", check.Plural(c.judged, "body", "bodies"), c.counts(), cut)
	return res
}

// declared lists the statuses with a declared body, in order.
func (c *bodyChecker) declared() []string {
	st := make([]int, 0, len(c.shapes))
	for s := range c.shapes {
		st = append(st, s)
	}
	slices.Sort(st)
	out := make([]string, len(st))
	for i, s := range st {
		out[i] = strconv.Itoa(s)
	}
	return out
}

// counts writes the judged bodies by status: "429: 30, 401: 1".
func (c *bodyChecker) counts() string {
	st := make([]int, 0, len(c.byStatus))
	for s := range c.byStatus {
		st = append(st, s)
	}
	slices.Sort(st)
	parts := make([]string, len(st))
	for i, s := range st {
		parts[i] = fmt.Sprintf("%d: %d", s, c.byStatus[s])
	}
	return strings.Join(parts, ", ")
}
