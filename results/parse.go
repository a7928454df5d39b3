package results

import (
	"math"
	"unicode/utf8"
)

// parser reads the JSON values of one line for decoder's fast path. Each method
// consumes a value and reports whether it was there in the restricted form the
// fast path handles; on false the caller gives up on the line.
type parser struct {
	b       []byte
	i       int
	scratch []byte // string's buffer for unescaping
}

// eat consumes c if it comes next.
func (p *parser) eat(c byte) bool {
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

// end reports whether the whole line was consumed.
func (p *parser) end() bool { return p.i == len(p.b) }

// rawString consumes a string and returns the bytes between its quotes,
// escapes not decoded. It refuses control bytes, as JSON does.
func (p *parser) rawString() ([]byte, bool) {
	if !p.eat('"') {
		return nil, false
	}
	start := p.i
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			return p.b[start : p.i-1], true
		case c < ' ':
			return nil, false
		case c == '\\':
			p.i += 2
		default:
			p.i++
		}
	}
	return nil, false
}

// str consumes a string and returns its value. It refuses invalid UTF-8 and
// escaped surrogates, which encoding/json replaces with U+FFFD.
func (p *parser) str() (string, bool) {
	raw, ok := p.rawString()
	if !ok {
		return "", false
	}
	buf := p.scratch[:0]
	for i := 0; i < len(raw); {
		c := raw[i]
		switch {
		case c == '\\':
			var r rune
			if r, i, ok = unescape(raw, i); !ok {
				return "", false
			}
			buf = utf8.AppendRune(buf, r)
		case c < utf8.RuneSelf:
			buf = append(buf, c)
			i++
		default:
			r, size := utf8.DecodeRune(raw[i:])
			if r == utf8.RuneError && size == 1 {
				return "", false
			}
			buf = append(buf, raw[i:i+size]...)
			i += size
		}
	}
	p.scratch = buf
	return string(buf), true
}

// unescape decodes the escape at raw[i] (a backslash) and returns the rune and
// the index after the escape.
func unescape(raw []byte, i int) (rune, int, bool) {
	if i+1 >= len(raw) {
		return 0, i, false
	}
	switch c := raw[i+1]; c {
	case '"', '\\', '/':
		return rune(c), i + 2, true
	case 'b':
		return '\b', i + 2, true
	case 'f':
		return '\f', i + 2, true
	case 'n':
		return '\n', i + 2, true
	case 'r':
		return '\r', i + 2, true
	case 't':
		return '\t', i + 2, true
	case 'u':
		if i+6 > len(raw) {
			return 0, i, false
		}
		r, ok := hex4(raw[i+2 : i+6])
		if !ok || 0xd800 <= r && r <= 0xdfff {
			return 0, i, false
		}
		return r, i + 6, true
	}
	return 0, i, false
}

func hex4(b []byte) (rune, bool) {
	var r rune
	for _, c := range b {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// unsigned consumes a non-negative integer that fits in a uint64.
func (p *parser) unsigned() (uint64, bool) {
	return p.digits(math.MaxUint64)
}

// signed consumes an integer that fits in a signed integer of the given bits.
func (p *parser) signed(bits int) (int64, bool) {
	limit := uint64(1)<<(bits-1) - 1
	if p.eat('-') {
		n, ok := p.digits(limit + 1)
		return -int64(n), ok // -(1<<63) wraps to itself: correct
	}
	n, ok := p.digits(limit)
	return int64(n), ok
}

// digits consumes a JSON integer's digits (no leading zeros, no fraction or
// exponent) whose value is at most limit.
func (p *parser) digits(limit uint64) (uint64, bool) {
	start := p.i
	var n uint64
	for p.i < len(p.b) && '0' <= p.b[p.i] && p.b[p.i] <= '9' {
		d := uint64(p.b[p.i] - '0')
		if n > (limit-d)/10 {
			return 0, false
		}
		n = n*10 + d
		p.i++
	}
	switch {
	case p.i == start, p.b[start] == '0' && p.i-start > 1:
		return 0, false
	case p.i < len(p.b) && (p.b[p.i] == '.' || p.b[p.i] == 'e' || p.b[p.i] == 'E'):
		return 0, false
	}
	return n, true
}
