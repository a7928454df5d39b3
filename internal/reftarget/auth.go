package reftarget

import (
	"net/http"
	"net/textproto"
	"strings"

	"github.com/ratecheck/ratecheck/scenarios"
)

// authSpec is how the target checks API keys.
type authSpec struct {
	header  string            // canonical header name; "" when the API has no auth
	bearer  bool              // the value is "Bearer <key>"
	keys    map[string]string // key value → key id; nil accepts any key as anyID
	anyID   string
	invalid int                 // status for an unknown key: 401, or 403 if only 403 is declared
	scopes  map[string][]string // key id → scopes held; a key not in it holds every scope
	noScope int                 // status for a key lacking the endpoint's scope: 403 (401 with the fault)
}

func newAuthSpec(sc *scenarios.Scenario, keys map[string]string, faults faultSet) authSpec {
	a := authSpec{
		bearer:  strings.EqualFold(sc.Auth.Scheme, "Bearer"),
		keys:    keys,
		anyID:   "default",
		invalid: http.StatusUnauthorized,
		scopes:  map[string][]string{},
		noScope: http.StatusForbidden,
	}
	if faults.has(WrongScopeStatus) {
		a.noScope = http.StatusUnauthorized
	}
	for _, k := range sc.Auth.Keys {
		if k.Scopes != nil {
			a.scopes[k.ID] = k.Scopes
		}
	}
	if sc.Auth.Header != "" {
		a.header = textproto.CanonicalMIMEHeaderKey(sc.Auth.Header)
	}
	if len(sc.Auth.Keys) > 0 {
		a.anyID = sc.Auth.Keys[0].ID
	}
	declared := map[int]bool{}
	for _, e := range sc.Errors {
		declared[e.Status] = true
	}
	if declared[http.StatusForbidden] && !declared[http.StatusUnauthorized] {
		a.invalid = http.StatusForbidden
	}
	return a
}

// authenticate returns the key id of the request's API key and the status to
// refuse it with (0 to serve it): 401 for a missing or malformed key,
// a.invalid for an unknown one, a.noScope (with the key id) for a key lacking
// the endpoint's scope. Requests to an API without auth, or to a NoAuth
// endpoint, pass with "".
func (a *authSpec) authenticate(r *http.Request, ep scenarios.Endpoint) (keyID string, status int) {
	if a.header == "" || ep.NoAuth {
		return "", 0
	}
	id, status := a.identify(r)
	if status == 0 && !(scenarios.Key{Scopes: a.scopes[id]}).Allows(ep.Scopes) {
		return id, a.noScope
	}
	return id, status
}

// identify returns the key id of the request's API key, or the status to
// refuse it with.
func (a *authSpec) identify(r *http.Request) (keyID string, status int) {
	v := r.Header[a.header]
	if len(v) == 0 {
		return "", http.StatusUnauthorized
	}
	key := strings.TrimSpace(v[0])
	if a.bearer {
		const prefix = "bearer "
		if len(key) <= len(prefix) || !strings.EqualFold(key[:len(prefix)], prefix) {
			return "", http.StatusUnauthorized
		}
		key = strings.TrimSpace(key[len(prefix):])
	}
	if key == "" {
		return "", http.StatusUnauthorized
	}
	if a.keys == nil {
		return a.anyID, 0
	}
	if id, ok := a.keys[key]; ok {
		return id, 0
	}
	return "", a.invalid
}
