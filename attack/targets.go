package attack

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strings"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/scenarios"
)

// phaseTarget builds the one request a phase sends over and over: with the
// phase's key, or with none (PhaseNoKey), or with the run's made-up key
// (PhaseBadKey).
func phaseTarget(sc *scenarios.Scenario, ph plan.Phase, o Options) (vegeta.Target, error) {
	ep, ok := endpoint(sc, ph.Endpoint)
	if !ok {
		return vegeta.Target{}, fmt.Errorf("attack: phase %q: no endpoint named %q", ph.Name, ph.Endpoint)
	}
	h := http.Header{}
	for _, kv := range ep.Headers {
		h.Add(kv.Name, kv.Value)
	}
	if sc.Auth.Header != "" && !ep.NoAuth && ph.Kind != scenarios.PhaseNoKey {
		key, ok := o.Keys[ph.Key]
		if ph.Kind == scenarios.PhaseBadKey {
			key, ok = o.badKey, o.badKey != ""
		}
		if !ok || key == "" {
			return vegeta.Target{}, fmt.Errorf("attack: phase %q: no value for key %q", ph.Name, ph.Key)
		}
		if sc.Auth.Scheme != "" {
			key = sc.Auth.Scheme + " " + key
		}
		h.Set(sc.Auth.Header, key)
	}
	if len(ep.Body) > 0 && h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/json")
	}
	return vegeta.Target{
		Method: ep.Method,
		URL:    joinURL(o.Target, ep.Path),
		Body:   ep.Body,
		Header: h,
	}, nil
}

func endpoint(sc *scenarios.Scenario, name string) (scenarios.Endpoint, bool) {
	for _, ep := range sc.Endpoints {
		if ep.Name == name {
			return ep, true
		}
	}
	return scenarios.Endpoint{}, false
}

// joinURL appends an endpoint path (with its query) to the base URL's path.
func joinURL(base *url.URL, path string) string {
	u := *base
	p, query, _ := strings.Cut(path, "?")
	u.Path = strings.TrimSuffix(u.Path, "/") + p
	u.RawPath = ""
	u.RawQuery = query
	return u.String()
}

// madeUpKey returns a key no API issued, for the requests that must be
// refused as having a wrong key: random, so that it matches no real key,
// and redacted like the real ones wherever a target echoes it.
func madeUpKey() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("attack: make up a wrong key: %w", err)
	}
	return "ratecheck-wrong-key-" + hex.EncodeToString(b), nil
}

// withKey returns keys and one more value under an id no scenario key has.
func withKey(keys map[string]string, v string) map[string]string {
	out := make(map[string]string, len(keys)+1)
	maps.Copy(out, keys)
	out["\x00made-up"] = v
	return out
}
