package scenarios

import (
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// authFields are the fields of the auth section.
var authFields = []string{"header", "scheme", "keys"}

// envRef is the only form a key may take in a file: ${NAME}.
var envRef = regexp.MustCompile(`^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$`)

// headerName is an HTTP field name (an RFC 9110 token).
var headerName = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")

// auth reads how requests carry the API key. Key values are never quoted in
// messages: a literal key in the file must not end up in a terminal or a log.
func (d *decoder) auth(top *fields) Auth {
	n := top.value("auth")
	if n == nil {
		return Auth{}
	}
	f, ok := d.mapping(n, "auth", authFields)
	if !ok {
		return Auth{}
	}
	a := Auth{Pos: d.pos(n)}
	if h, ok := f.required("header", "the header that carries the key, e.g. X-API-KEY or Authorization"); ok {
		if !headerName.MatchString(h) {
			d.errorf(f.value("header"), f.at("header"), "%q is not a header name (want e.g. X-API-KEY)", h)
		}
		a.Header = h
	}
	a.Scheme = d.scheme(f)
	a.Keys = d.keys(f)
	return a
}

// scheme reads the auth scheme: "" for the raw key, or Bearer.
func (d *decoder) scheme(f *fields) string {
	s, _ := f.str("scheme")
	switch {
	case s == "":
		return ""
	case strings.EqualFold(s, "bearer"):
		return "Bearer"
	}
	d.errorf(f.value("scheme"), f.at("scheme"), "%q is not a supported scheme (want \"\" for the raw key, or Bearer)", s)
	return s
}

// keys reads the key ids and the environment variables that hold them.
func (d *decoder) keys(f *fields) []Key {
	n := f.value("keys")
	if n == nil {
		f.missing("keys", "a mapping of key id to ${ENV_NAME}, e.g. primary: ${API_KEY}")
		return nil
	}
	if r := resolve(n); r == nil || r.Kind != yaml.MappingNode {
		// Not describe(n): the value may well be a key pasted into the file.
		d.errorf(n, f.at("keys"), "want a mapping of key id to ${ENV_NAME}, e.g. primary: ${API_KEY}")
		return nil
	}
	ps, _ := d.pairs(n, f.at("keys"))
	if len(ps) == 0 {
		d.errorf(n, f.at("keys"), "no keys (want at least one, e.g. primary: ${API_KEY})")
	}
	var keys []Key
	for i, p := range ps {
		path := child(f.at("keys"), p.Key)
		vn, v := p.Value, resolve(p.Value)
		var scopes []string
		var optional bool
		if v != nil && v.Kind == yaml.MappingNode {
			var ok bool
			if vn, scopes, optional, ok = d.scopedKey(p.Value, path, i == 0); !ok {
				continue
			}
			v, path = resolve(vn), child(path, "env")
		}
		if v == nil || v.Kind != yaml.ScalarNode || isNull(v) {
			d.errorf(vn, path, "want ${ENV_NAME}, the environment variable that holds the key")
			continue
		}
		m := envRef.FindStringSubmatch(strings.TrimSpace(v.Value))
		if m == nil {
			d.errorf(vn, path, "keys come from the environment: write ${NAME}")
			continue
		}
		keys = append(keys, Key{ID: p.Key, Env: m[1], Scopes: scopes, Optional: optional, Pos: d.pos(p.KeyN)})
	}
	return keys
}

// keyFields are the fields of a key written as a mapping.
var keyFields = []string{"env", "scopes", "optional"}

// scopedKey reads a key written as {env: ${NAME}, scopes: [read], optional:
// true}: it returns the env node, the scopes (non-nil, maybe empty: a key
// with no scope) and whether the key may be left unset. The first key, the
// default one, may not.
func (d *decoder) scopedKey(n *yaml.Node, path string, first bool) (*yaml.Node, []string, bool, bool) {
	f, ok := d.mapping(n, path, keyFields)
	if !ok {
		return nil, nil, false, false
	}
	env := f.value("env")
	if env == nil {
		f.missing("env", "${ENV_NAME}, the environment variable that holds the key")
		return nil, nil, false, false
	}
	scopes, _ := f.names("scopes")
	if scopes == nil {
		scopes = []string{}
	}
	if !f.has("scopes") {
		scopes = nil // no scopes field: an unrestricted key
	}
	optional := f.bool("optional", false)
	if optional && first {
		d.errorf(f.value("optional"), f.at("optional"), "the first key is the default one, which every run needs: it cannot be optional")
		optional = false
	}
	return env, scopes, optional, true
}
