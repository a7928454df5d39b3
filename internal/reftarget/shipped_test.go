package reftarget

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ratecheck/ratecheck/headers"
	"github.com/ratecheck/ratecheck/scenarios"
)

// TestShippedScenarios serves every shipped scenario file and sends one request
// to each endpoint with a key: each must be admitted with its success status.
func TestShippedScenarios(t *testing.T) {
	files, err := filepath.Glob("../../scenarios/*.yaml")
	if err != nil || len(files) == 0 {
		t.Skipf("no shipped scenarios found (%v)", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			sc, err := scenarios.Load(file)
			if err != nil {
				t.Skipf("scenarios.Load: %v (the scenarios package's tests own this)", err)
			}
			keys := map[string]string{}
			for _, k := range sc.Auth.Keys {
				keys["test-key-"+k.ID] = k.ID
			}
			srv, _ := server(t, sc, newClock(), Keys(keys))
			for _, ep := range sc.Endpoints {
				value := ""
				if sc.Auth.Header != "" && !ep.NoAuth && len(sc.Auth.Keys) > 0 {
					value = "test-key-" + sc.Auth.Keys[0].ID
					if strings.EqualFold(sc.Auth.Scheme, "Bearer") {
						value = "Bearer " + value
					}
				}
				got := sendHeader(t, srv, ep.Method, ep.Path, sc.Auth.Header, value)
				if want := successStatus(ep.Method); got.status != want {
					t.Errorf("%s %s = %d %s; want %d", ep.Method, ep.Path, got.status, got.body, want)
				}
				if describedCounts(sc, ep.Name) {
					for _, name := range promisedHeaders(sc.Headers) {
						if got.header.Get(name) == "" {
							t.Errorf("%s %s: no %s header; the scenario promises it", ep.Method, ep.Path, name)
						}
					}
				}
			}
			if sc.Auth.Header != "" {
				if got := sendHeader(t, srv, sc.Endpoints[0].Method, sc.Endpoints[0].Path, "", ""); got.status != http.StatusUnauthorized && !sc.Endpoints[0].NoAuth {
					t.Errorf("%s without a key = %d; want 401", sc.Endpoints[0].Path, got.status)
				}
			}
		})
	}
}

var _ http.Handler = (*Target)(nil)

// describedCounts reports whether the limit the headers describe counts endpoint.
func describedCounts(sc *scenarios.Scenario, endpoint string) bool {
	for _, l := range sc.Limits {
		if l.Name == sc.Headers.Describes {
			return !l.Unlimited && l.Counts(endpoint)
		}
	}
	return false
}

// promisedHeaders lists the rate-limit header names the scenario promises.
func promisedHeaders(h scenarios.Headers) []string {
	switch h.Convention {
	case headers.ConventionStructured:
		return []string{"RateLimit", "RateLimit-Policy"}
	case headers.ConventionXRateLimit, headers.ConventionDraft:
		var out []string
		for _, n := range []string{h.Limit, h.Remaining, h.Reset} {
			if n != "" {
				out = append(out, n)
			}
		}
		return out
	}
	return nil
}
