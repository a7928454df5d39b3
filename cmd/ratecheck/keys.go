package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/ratecheck/ratecheck/scenarios"
)

// envKeys reads every key of the scenario from the environment: key id → key.
// It fails naming each unset variable, and never prints a value. An optional
// key left unset is not an error: it is not in the map.
func envKeys(sc *scenarios.Scenario, getenv func(string) string) (map[string]string, error) {
	keys := make(map[string]string, len(sc.Auth.Keys))
	var missing []string
	for _, k := range sc.Auth.Keys {
		v := strings.TrimSpace(getenv(k.Env))
		if v == "" && k.Optional {
			continue
		}
		if v == "" {
			missing = append(missing, fmt.Sprintf("%s (key %q)", k.Env, k.ID))
			continue
		}
		keys[k.ID] = v
	}
	if len(missing) > 0 {
		return nil, &usageError{err: fmt.Errorf("%s: API keys come from the environment and these variables are not set: %s",
			sc.File, strings.Join(missing, ", "))}
	}
	return keys, nil
}

// unsetOptionalKeys lists the ids of the optional keys whose variables are
// unset: a run goes without them (Scenario.WithoutKeys).
func unsetOptionalKeys(sc *scenarios.Scenario, getenv func(string) string) (ids, vars []string) {
	for _, k := range sc.Auth.Keys {
		if k.Optional && strings.TrimSpace(getenv(k.Env)) == "" {
			ids, vars = append(ids, k.ID), append(vars, k.Env)
		}
	}
	return ids, vars
}

// demoKeys makes a random key per key id for the built-in target, so that a run
// on it needs nothing set.
func demoKeys(sc *scenarios.Scenario) map[string]string {
	keys := make(map[string]string, len(sc.Auth.Keys))
	for _, k := range sc.Auth.Keys {
		b := make([]byte, 12)
		rand.Read(b)
		keys[k.ID] = "demo-" + hex.EncodeToString(b)
	}
	return keys
}

// byValue inverts id → key into key → id, the form the reference target accepts.
func byValue(keys map[string]string) map[string]string {
	out := make(map[string]string, len(keys))
	for id, v := range keys {
		out[v] = id
	}
	return out
}
