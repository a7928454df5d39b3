package results

import "time"

// Observation is one request of a run as the client saw it. It never holds an API
// key: KeyID names the key.
type Observation struct {
	Seq      uint64 `json:"seq"`
	Phase    int    `json:"phase"` // index into the plan's phases
	Endpoint string `json:"endpoint"`
	KeyID    string `json:"key,omitempty"`
	// Source is the local address the request was sent from, set only where
	// one timeline holds several clients' requests (merged shards, see
	// results/merge) so that a per-IP limit counts each apart; "" for the
	// requests of one run, which all come from one address. It is not
	// stored in a run directory: a shard's address is in its Meta.
	Source  string            `json:"source,omitempty"`
	Sent    time.Time         `json:"sent"`              // real send time (not the ideal schedule)
	Latency time.Duration     `json:"latency"`           // nanoseconds until the response headers and body snippet arrived
	Status  int               `json:"status"`            // 0 when the request failed in transport
	Headers map[string]string `json:"headers,omitempty"` // rate-limit headers as received, canonical names
	Body    string            `json:"body,omitempty"`    // the first bytes of the body (bounded)
	Error   string            `json:"error,omitempty"`   // transport error, "" when a response arrived
}

// Received is when the response arrived: Sent + Latency.
func (o Observation) Received() time.Time { return o.Sent.Add(o.Latency) }

// Admitted reports whether the server let the request through (a 2xx or 3xx answer).
func (o Observation) Admitted() bool { return o.Status >= 200 && o.Status < 400 }

// Limited reports whether the server answered 429 Too Many Requests.
func (o Observation) Limited() bool { return o.Status == 429 }

// Header returns the named header's value as received, matching the name without
// regard to case.
func (o Observation) Header(name string) (string, bool) {
	if v, ok := o.Headers[name]; ok {
		return v, true
	}
	for k, v := range o.Headers {
		if equalFold(k, name) {
			return v, true
		}
	}
	return "", false
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
