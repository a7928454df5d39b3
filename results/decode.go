package results

import (
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"
)

// decoder decodes lines of observations.jsonl. It has a fast path for lines in
// exactly the form the jsonl writer wrote (appendObservation, now in the
// tests: known keys, each once, no spaces, integers without fraction or
// exponent, valid UTF-8) and hands anything else to
// encoding/json, so it accepts what encoding/json accepts and decodes it the same
// way. The fast path is several times faster; it also shares the strings that
// repeat from line to line (endpoints, key ids, header names and values).
type decoder struct {
	intern  map[string]string
	scratch []byte // the parser's unescaping buffer, kept between lines
}

// maxInterned bounds the decoder's shared strings; beyond it strings are
// allocated per line.
const maxInterned = 4096

func newDecoder() *decoder { return &decoder{intern: make(map[string]string)} }

// decode decodes one line into a fresh Observation.
func (d *decoder) decode(line []byte) (Observation, error) {
	var o Observation
	if d.fast(line, &o) {
		return o, nil
	}
	o = Observation{}
	err := json.Unmarshal(line, &o)
	return o, err
}

// fieldBit marks a key as seen, so a repeated key goes to encoding/json.
const (
	bitSeq = 1 << iota
	bitPhase
	bitEndpoint
	bitKey
	bitSent
	bitLatency
	bitStatus
	bitHeaders
	bitBody
	bitError
)

// fast decodes line if it has the exact form the jsonl writer wrote and
// reports whether it did; o is garbage when it did not.
func (d *decoder) fast(line []byte, o *Observation) bool {
	p := &parser{b: line, scratch: d.scratch}
	defer func() { d.scratch = p.scratch }()
	if !p.eat('{') {
		return false
	}
	if p.eat('}') {
		return p.end()
	}
	seen := 0
	for {
		key, ok := p.rawString()
		if !ok || !p.eat(':') {
			return false
		}
		bit := d.field(p, string(key), o) // string(key) in a switch does not allocate
		if bit == 0 || seen&bit != 0 {
			return false
		}
		seen |= bit
		if p.eat('}') {
			return p.end()
		}
		if !p.eat(',') {
			return false
		}
	}
}

// field decodes the value of key into o and returns the key's bit, or 0 when
// the key is unknown or the value is not in fast form.
func (d *decoder) field(p *parser, key string, o *Observation) int {
	ok := false
	bit := 0
	switch key {
	case "seq":
		o.Seq, ok = p.unsigned()
		bit = bitSeq
	case "phase":
		var n int64
		n, ok = p.signed(strconv.IntSize)
		o.Phase, bit = int(n), bitPhase
	case "endpoint":
		o.Endpoint, ok = d.shared(p)
		bit = bitEndpoint
	case "key":
		o.KeyID, ok = d.shared(p)
		bit = bitKey
	case "sent":
		start := p.i
		if _, ok = p.rawString(); ok {
			ok = o.Sent.UnmarshalJSON(p.b[start:p.i]) == nil // as encoding/json calls it
		}
		bit = bitSent
	case "latency":
		var n int64
		n, ok = p.signed(64)
		o.Latency, bit = time.Duration(n), bitLatency
	case "status":
		var n int64
		n, ok = p.signed(strconv.IntSize)
		o.Status, bit = int(n), bitStatus
	case "headers":
		o.Headers, ok = d.headers(p)
		bit = bitHeaders
	case "body":
		o.Body, ok = p.str() // bodies rarely repeat: not shared
		bit = bitBody
	case "error":
		o.Error, ok = d.shared(p)
		bit = bitError
	}
	if !ok {
		return 0
	}
	return bit
}

// headers decodes a JSON object of strings.
func (d *decoder) headers(p *parser) (map[string]string, bool) {
	if !p.eat('{') {
		return nil, false
	}
	h := make(map[string]string, 4)
	if p.eat('}') {
		return h, true
	}
	for {
		k, ok := d.shared(p)
		if !ok || !p.eat(':') {
			return nil, false
		}
		if _, dup := h[k]; dup {
			return nil, false
		}
		if h[k], ok = d.shared(p); !ok {
			return nil, false
		}
		if p.eat('}') {
			return h, true
		}
		if !p.eat(',') {
			return nil, false
		}
	}
}

// shared decodes a JSON string, sharing it with earlier lines when it repeats.
func (d *decoder) shared(p *parser) (string, bool) {
	start := p.i
	raw, ok := p.rawString()
	if !ok {
		return "", false
	}
	if !plain(raw) {
		p.i = start
		return p.str()
	}
	if s, ok := d.intern[string(raw)]; ok {
		return s, true
	}
	s := string(raw)
	if len(d.intern) < maxInterned && len(s) <= 64 {
		d.intern[s] = s
	}
	return s, true
}

// plain reports whether a string's raw bytes are its value: no escapes, no
// bytes beyond ASCII.
func plain(raw []byte) bool {
	for _, c := range raw {
		if c == '\\' || c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
