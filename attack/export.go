package attack

import (
	"fmt"
	"io"
	"net/http"
	"net/url"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/scenarios"
)

// Encodings are vegeta's result encodings that ExportVegeta writes, as
// vegeta's own flags name them: gob (what `vegeta attack` writes), json, csv.
var Encodings = []string{"gob", "json", "csv"}

// VegetaExporter writes observations as vegeta results, so that `vegeta
// report`, `vegeta plot` and `vegeta encode` read a ratecheck run.
type VegetaExporter struct {
	enc    vegeta.Encoder
	sc     *scenarios.Scenario
	plan   *plan.Plan
	target *url.URL
}

// NewVegetaExporter writes to w in encoding (one of Encodings). The scenario
// and plan name each result's attack (scenario/phase), method and URL;
// target is the run's base URL.
func NewVegetaExporter(w io.Writer, encoding string, p *plan.Plan, target string) (*VegetaExporter, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, fmt.Errorf("attack: export: target %q: %w", target, err)
	}
	e := &VegetaExporter{sc: p.Scenario, plan: p, target: u}
	switch encoding {
	case "gob":
		e.enc = vegeta.NewEncoder(w)
	case "json":
		e.enc = vegeta.NewJSONEncoder(w)
	case "csv":
		e.enc = vegeta.NewCSVEncoder(w)
	default:
		return nil, fmt.Errorf("attack: export: unknown encoding %q (want gob, json or csv)", encoding)
	}
	return e, nil
}

// Write encodes one observation.
func (e *VegetaExporter) Write(o results.Observation) error {
	r := e.result(o)
	if err := e.enc.Encode(&r); err != nil {
		return fmt.Errorf("attack: export observation %d: %w", o.Seq, err)
	}
	return nil
}

// result is o as vegeta's attacker records a hit: the send time and latency,
// the status with vegeta's Error for a status outside 200–399 (its text, as
// vegeta takes it from the response) or the transport error. Body is the
// bounded snippet ratecheck kept, and BytesIn its length; Headers are the
// headers ratecheck recorded (the rate-limit ones), never the API key.
func (e *VegetaExporter) result(o results.Observation) vegeta.Result {
	r := vegeta.Result{
		Attack:    e.sc.Name,
		Seq:       o.Seq,
		Code:      uint16(max(0, min(o.Status, 65535))),
		Timestamp: o.Sent,
		Latency:   o.Latency,
		Error:     o.Error,
		Body:      []byte(o.Body),
		BytesIn:   uint64(len(o.Body)),
	}
	if o.Phase >= 0 && o.Phase < len(e.plan.Phases) {
		r.Attack += "/" + e.plan.Phases[o.Phase].Name
	}
	if ep, ok := endpoint(e.sc, o.Endpoint); ok {
		r.Method, r.URL = ep.Method, joinURL(e.target, ep.Path)
		r.BytesOut = uint64(len(ep.Body))
	}
	if r.Error == "" && (o.Status < 200 || o.Status >= 400) {
		r.Error = fmt.Sprintf("%d %s", o.Status, http.StatusText(o.Status))
	}
	if len(o.Headers) > 0 {
		r.Headers = http.Header{}
		for k, v := range o.Headers {
			r.Headers.Set(k, v)
		}
	}
	return r
}
