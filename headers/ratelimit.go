package headers

import (
	"encoding/base64"
	"strconv"
	"time"
)

// Policy is one quota policy of a RateLimit-Policy field: Quota units per Window.
//
// Drafts 08 and later name each policy ("burst";q=100;w=60, with the name a
// String from draft 09 on and a Token in draft 08). Earlier drafts wrote the quota
// as the item itself (100;w=60); such a policy has no Name.
type Policy struct {
	Name      string        // policy name; "" in the pre-08 form
	Quota     int64         // q: units allowed per Window
	Window    time.Duration // w, whole seconds; 0 when the policy does not say
	QuotaUnit string        // qu: "requests" (the default), "content-bytes", "concurrent-requests"
	Partition string        // pk, re-encoded as padded standard base64; "" when absent
}

// Limit is one service limit of a RateLimit field: what is left under a policy.
//
// Drafts 08 and later send a List ("default";r=50;t=30). Draft 07 sent a
// Dictionary (limit=100, remaining=50, reset=30), which also carries the quota;
// ParseRateLimit reads both.
type Limit struct {
	Policy       string        // name of the policy the limit is under; "" in the draft 07 form
	Remaining    int64         // r (draft 07: remaining); valid when HasRemaining
	HasRemaining bool          // r is required, but draft 07 made remaining optional
	Reset        time.Duration // t (draft 07: reset), whole seconds; valid when HasReset
	HasReset     bool          // t is optional: a limit may have no time window
	Quota        int64         // draft 07's limit; valid when HasQuota
	HasQuota     bool          // only the draft 07 form states the quota in this field
	Partition    string        // pk, re-encoded as padded standard base64; "" when absent
}

// unitRequests is the default quota unit of a policy.
const unitRequests = "requests"

// ParsePolicy parses a RateLimit-Policy value into its policies, in order. Every
// policy needs a non-negative integer quota; w, when present, must be a positive
// integer. Unknown parameters are ignored, as the draft says. An inner list, an
// empty value or a member of the wrong type is an error.
func ParsePolicy(v string) ([]Policy, error) {
	items, err := nonEmptyList(v)
	if err != nil {
		return nil, err
	}
	ps := make([]Policy, 0, len(items))
	for i, it := range items {
		p, reason := policy(it)
		if reason != "" {
			return nil, errorf(v, memberWhere(i)+reason)
		}
		ps = append(ps, p)
	}
	return ps, nil
}

func policy(it Item) (Policy, string) {
	p := Policy{QuotaUnit: unitRequests}
	switch v := it.Value.(type) {
	case int64: // pre-08: the quota is the item
		if v < 0 {
			return p, "has a negative quota"
		}
		p.Quota = v
	case string, Token:
		p.Name = name(v)
		q, reason := intParam(it.Params, "q", true)
		if reason != "" {
			return p, reason
		}
		p.Quota = q
	default:
		return p, "is " + sfType(v) + ", want a policy name or a quota"
	}
	w, reason := secondsParam(it.Params, "w")
	if reason != "" {
		return p, reason
	}
	if _, ok := it.Params.Get("w"); ok && w == 0 {
		return p, "has w=0, want a window of at least 1 second"
	}
	p.Window = w
	if qu, ok := it.Params.Get("qu"); ok {
		if p.QuotaUnit, ok = qu.(string); !ok {
			return p, "has a qu that is " + sfType(qu) + ", want a string"
		}
		if p.QuotaUnit == "" {
			return p, `has an empty qu, want a quota unit such as "requests"`
		}
	}
	p.Partition, reason = partition(it.Params)
	return p, reason
}

// ParseRateLimit parses a RateLimit value into its service limits, in order:
// the List of drafts 08 and later ("default";r=50;t=30) or, when the value is not
// a List, the Dictionary of draft 07 (limit=100, remaining=50, reset=30). In a
// List every limit needs a non-negative integer r (remaining); t (reset) is
// optional and non-negative. The Dictionary needs limit or remaining. Unknown
// parameters and keys are ignored. An empty value is an error.
func ParseRateLimit(v string) ([]Limit, error) {
	items, err := nonEmptyList(v)
	if err != nil {
		if l, ok := draft07Limit(v); ok {
			return []Limit{l}, nil
		}
		return nil, err
	}
	ls := make([]Limit, 0, len(items))
	for i, it := range items {
		l, reason := limit(it)
		if reason != "" {
			return nil, errorf(v, memberWhere(i)+reason)
		}
		ls = append(ls, l)
	}
	return ls, nil
}

func limit(it Item) (Limit, string) {
	var l Limit
	switch v := it.Value.(type) {
	case string, Token:
		l.Policy = name(v)
	default:
		return l, "is " + sfType(v) + ", want a policy name"
	}
	r, reason := intParam(it.Params, "r", true)
	if reason != "" {
		return l, reason
	}
	l.Remaining, l.HasRemaining = r, true
	t, reason := secondsParam(it.Params, "t")
	if reason != "" {
		return l, reason
	}
	_, l.HasReset = it.Params.Get("t")
	l.Reset = t
	l.Partition, reason = partition(it.Params)
	return l, reason
}

// draft07Limit reads the draft 07 Dictionary "limit=100, remaining=50, reset=30".
// It needs limit or remaining; members that are not non-negative integers are
// ignored, as are unknown keys.
func draft07Limit(v string) (Limit, bool) {
	ms, err := ParseDictionary(v)
	if err != nil {
		return Limit{}, false
	}
	var l Limit
	for _, m := range ms {
		n, ok := m.Value.(int64)
		if !ok || n < 0 {
			continue
		}
		switch m.Key {
		case "remaining":
			l.Remaining, l.HasRemaining = n, true
		case "limit":
			l.Quota, l.HasQuota = n, true
		case "reset":
			l.Reset, l.HasReset = seconds{whole: n}.duration()
		}
	}
	return l, l.HasRemaining || l.HasQuota
}

// nonEmptyList parses v as a List that must have a member.
func nonEmptyList(v string) ([]Item, error) {
	items, err := ParseList(v)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, errorf(v, "is empty")
	}
	return items, nil
}

// intParam reads a non-negative Integer parameter; "" reason when it is fine or,
// unless required, absent.
func intParam(ps Params, key string, required bool) (int64, string) {
	v, ok := ps.Get(key)
	if !ok {
		if required {
			return 0, "has no " + key + " parameter"
		}
		return 0, ""
	}
	n, ok := v.(int64)
	if !ok {
		return 0, "has a " + key + " that is " + sfType(v) + ", want an integer"
	}
	if n < 0 {
		return 0, "has a negative " + key
	}
	return n, ""
}

// secondsParam reads an optional parameter of whole seconds as a Duration.
func secondsParam(ps Params, key string) (time.Duration, string) {
	n, reason := intParam(ps, key, false)
	if reason != "" {
		return 0, reason
	}
	d, ok := seconds{whole: n}.duration()
	if !ok {
		return 0, "has a " + key + " longer than a duration holds"
	}
	return d, ""
}

// partition reads the optional pk parameter, a Byte Sequence, as base64.
func partition(ps Params) (string, string) {
	v, ok := ps.Get("pk")
	if !ok {
		return "", ""
	}
	b, ok := v.([]byte)
	if !ok {
		return "", "has a pk that is " + sfType(v) + ", want a byte sequence"
	}
	return base64.StdEncoding.EncodeToString(b), ""
}

func name(v any) string {
	if t, ok := v.(Token); ok {
		return string(t)
	}
	s, _ := v.(string)
	return s
}

func memberWhere(i int) string {
	return "member " + strconv.Itoa(i+1) + " "
}

// sfType names the structured field type of a parsed value.
func sfType(v any) string {
	switch v.(type) {
	case int64:
		return "an integer"
	case float64:
		return "a decimal"
	case string:
		return "a string"
	case Token:
		return "a token"
	case []byte:
		return "a byte sequence"
	case bool:
		return "a boolean"
	case time.Time:
		return "a date"
	case DisplayString:
		return "a display string"
	case InnerList:
		return "an inner list"
	}
	return "an unknown value"
}
