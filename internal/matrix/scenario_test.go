package matrix

import (
	"fmt"
	"strings"

	"github.com/ratecheck/ratecheck/scenarios"
)

// testKey is the key value the runs send and the target accepts; it is not a
// real key and is never printed.
const testKey = "k1"

// contract is a scenario of one limit, 20 (or requests) per second per key
// with a recovery of 1 s, behind the X-API-KEY header.
type contract struct {
	requests  int // 0 means 20
	algorithm scenarios.Algorithm
	headers   bool // promise X-RateLimit-* (epoch seconds), Retry-After and a 429 body
	scope     string
}

// yaml writes the contract as a scenario file.
func (c contract) yaml() []byte {
	var b strings.Builder
	b.WriteString("name: matrix\ntarget: http://127.0.0.1\n")
	b.WriteString("auth:\n  header: X-API-KEY\n  keys:\n    primary: ${MATRIX_KEY}\n")
	b.WriteString("endpoints:\n  - name: items\n    path: /v1/items\n")
	n := c.requests
	if n == 0 {
		n = 20
	}
	fmt.Fprintf(&b, "limits:\n  - name: per-second\n    requests: %d\n    window: 1s\n    recovery: 1s\n", n)
	fmt.Fprintf(&b, "    algorithm: %s\n", c.algorithm)
	if c.scope != "" {
		fmt.Fprintf(&b, "    scope: %s\n", c.scope)
	}
	if c.headers {
		b.WriteString("headers:\n  convention: x-ratelimit\n  reset_format: epoch-seconds\n  retry_after: true\n")
		b.WriteString("errors:\n  429:\n    body: {error: {code: string, message: string}}\n")
	}
	return []byte(b.String())
}

// parse loads the contract as `ratecheck run` loads a file.
func (c contract) parse() (*scenarios.Scenario, error) {
	sc, err := scenarios.Parse("matrix.yaml", c.yaml())
	if err != nil {
		return nil, fmt.Errorf("parse matrix scenario: %w", err)
	}
	return sc, nil
}
