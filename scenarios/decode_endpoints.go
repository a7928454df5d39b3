package scenarios

import (
	"strings"

	"go.yaml.in/yaml/v3"
)

// endpointFields are the fields of one endpoint.
var endpointFields = []string{"name", "method", "path", "headers", "body", "auth", "scopes"}

// methods are the HTTP methods an endpoint may use.
var methods = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}

// endpoints reads the requests a run can send; names must be unique.
func (d *decoder) endpoints(top *fields, auth Auth) []Endpoint {
	n := top.value("endpoints")
	if n == nil {
		top.missing("endpoints", "a list of endpoints, each with name, method and path")
		return nil
	}
	items, ok := d.list(n, "endpoints")
	if !ok {
		return nil
	}
	if len(items) == 0 {
		d.errorf(n, "endpoints", "no endpoints (want at least one, with name, method and path)")
	}
	var eps []Endpoint
	seen := map[string]*yaml.Node{}
	for i, it := range items {
		path := index("endpoints", i)
		ep, f, ok := d.endpoint(it, path, auth)
		if !ok {
			continue
		}
		if prev := seen[ep.Name]; prev != nil {
			d.errorf(f.value("name"), f.at("name"), "duplicate endpoint name %q (first at line %d)", ep.Name, prev.Line)
			continue
		}
		if ep.Name != "" {
			seen[ep.Name] = f.value("name")
		}
		eps = append(eps, ep)
	}
	return eps
}

// endpoint reads one endpoint.
func (d *decoder) endpoint(n *yaml.Node, path string, auth Auth) (Endpoint, *fields, bool) {
	f, ok := d.mapping(n, path, endpointFields)
	if !ok {
		return Endpoint{}, nil, false
	}
	ep := Endpoint{Pos: d.pos(n)}
	ep.Name, _ = f.required("name", "a name such as list-clients")
	m, _ := f.enum("method", "an HTTP method", "GET", methods)
	ep.Method = m
	if p, ok := f.required("path", "a path such as /v1/clients"); ok {
		if !strings.HasPrefix(p, "/") {
			d.errorf(f.value("path"), f.at("path"), "%q does not start with / (want e.g. /v1/clients)", p)
		}
		ep.Path = p
	}
	ep.Headers = d.requestHeaders(f, auth)
	if b := f.value("body"); b != nil {
		ep.Body, _ = d.jsonBody(b, f.at("body"))
	}
	a, _ := f.enum("auth", "an auth mode", "key", []string{"key", "none"})
	ep.NoAuth = a == "none"
	ep.Scopes = d.endpointScopes(f, auth, ep.NoAuth)
	return ep, f, true
}

// requestHeaders reads an endpoint's extra request headers in file order. The
// auth header is refused here: it would put a key into the file.
func (d *decoder) requestHeaders(f *fields, auth Auth) []Header {
	n := f.value("headers")
	if n == nil {
		return nil
	}
	ps, _ := d.pairs(n, f.at("headers"))
	var hs []Header
	for _, p := range ps {
		path := child(f.at("headers"), p.Key)
		if !headerName.MatchString(p.Key) {
			d.errorf(p.KeyN, path, "%q is not a header name (want e.g. Content-Type)", p.Key)
			continue
		}
		if auth.Header != "" && strings.EqualFold(p.Key, auth.Header) {
			d.errorf(p.KeyN, path, "credentials do not belong in the file: remove %s (auth sends the key from the environment)", p.Key)
			continue
		}
		v, ok := d.scalar(p.Value, path, "a header value")
		if ok {
			hs = append(hs, Header{Name: p.Key, Value: v})
		}
	}
	return hs
}

// endpointScopes reads the scopes an endpoint requires (a key needs one of
// them). They need a key to be checked against.
func (d *decoder) endpointScopes(f *fields, auth Auth, noAuth bool) []string {
	scopes, _ := f.names("scopes")
	switch {
	case scopes == nil:
		return nil
	case auth.Header == "":
		d.errorf(f.value("scopes"), f.at("scopes"), "scopes need auth: the API takes no key (add an auth section or remove scopes)")
	case noAuth:
		d.errorf(f.value("scopes"), f.at("scopes"), "scopes need a key: the endpoint is sent without one (auth: none)")
	}
	return scopes
}
