package headers

import (
	"encoding/base64"
	"strings"
	"time"
	"unicode/utf8"
)

// str parses a String: printable ASCII in double quotes, with \" and \\ escapes.
func (p *sfParser) str() (string, error) {
	p.i++ // '"'
	var b strings.Builder
	for start := p.i; !p.done(); p.i++ {
		switch c := p.s[p.i]; {
		case c == '"':
			s := p.s[start:p.i]
			if b.Len() > 0 {
				b.WriteString(s)
				s = b.String()
			}
			p.i++
			return s, nil
		case c == '\\':
			b.WriteString(p.s[start:p.i])
			p.i++
			if e := p.peek(); e != '"' && e != '\\' {
				return "", p.fail(`\" or \\ after a backslash`)
			}
			start = p.i // the escaped byte starts the next run
		case c < 0x20 || c > 0x7e:
			return "", p.fail("a printable ASCII character in a string")
		}
	}
	return "", p.fail(`a closing '"'`)
}

// token parses a Token: ALPHA or "*", then tchar, ":" or "/".
func (p *sfParser) token() Token {
	start := p.i
	p.i++
	for !p.done() && isTokenChar(p.s[p.i]) {
		p.i++
	}
	return Token(p.s[start:p.i])
}

// bytes parses a Byte Sequence: base64 between colons. Missing "=" padding and
// non-zero pad bits are accepted, as RFC 9651 asks of parsers.
func (p *sfParser) bytes() ([]byte, error) {
	p.i++ // ':'
	start := p.i
	for !p.done() && isBase64(p.s[p.i]) {
		p.i++
	}
	if p.peek() != ':' {
		return nil, p.fail(`base64 and a closing ":"`)
	}
	b64 := strings.TrimRight(p.s[start:p.i], "=")
	p.i++
	b, err := base64.RawStdEncoding.DecodeString(b64)
	if err != nil {
		p.i = start
		return nil, p.fail("valid base64")
	}
	return b, nil
}

// boolean parses "?1" or "?0".
func (p *sfParser) boolean() (bool, error) {
	p.i++ // '?'
	switch p.peek() {
	case '1':
		p.i++
		return true, nil
	case '0':
		p.i++
		return false, nil
	}
	return false, p.fail(`"1" or "0" after "?"`)
}

// date parses a Date: "@" and an Integer of seconds since the Unix epoch.
func (p *sfParser) date() (time.Time, error) {
	p.i++ // '@'
	v, err := p.number()
	if err != nil {
		return time.Time{}, err
	}
	n, ok := v.(int64)
	if !ok {
		return time.Time{}, p.fail("an integer date, not a decimal")
	}
	return time.Unix(n, 0).UTC(), nil
}

// displayString parses %"..." where bytes outside printable ASCII, "%" and '"'
// are percent-encoded with lower-case hex, and the result must be UTF-8.
func (p *sfParser) displayString() (DisplayString, error) {
	p.i++ // '%'
	if p.peek() != '"' {
		return "", p.fail(`'"' after "%"`)
	}
	p.i++
	var b []byte
	for ; !p.done(); p.i++ {
		switch c := p.s[p.i]; {
		case c < 0x20 || c > 0x7e:
			return "", p.fail("a printable ASCII character in a display string")
		case c == '%':
			hi, lo := p.hexAt(p.i+1), p.hexAt(p.i+2)
			if hi < 0 || lo < 0 {
				return "", p.fail("two lower-case hex digits after %")
			}
			b = append(b, byte(hi<<4|lo))
			p.i += 2
		case c == '"':
			p.i++
			if !utf8.Valid(b) {
				return "", p.fail("UTF-8 in the display string before this point")
			}
			return DisplayString(b), nil
		default:
			b = append(b, c)
		}
	}
	return "", p.fail(`a closing '"'`)
}

// hexAt returns the value of the lower-case hex digit at byte j, or -1.
func (p *sfParser) hexAt(j int) int {
	if j >= len(p.s) {
		return -1
	}
	switch c := p.s[j]; {
	case isDigit(c):
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	}
	return -1
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isLower(c byte) bool { return 'a' <= c && c <= 'z' }
func isAlpha(c byte) bool { return isLower(c) || ('A' <= c && c <= 'Z') }

func isKeyChar(c byte) bool {
	return isLower(c) || isDigit(c) || c == '_' || c == '-' || c == '.' || c == '*'
}

// isTokenChar reports whether c may continue a Token: an RFC 9110 tchar, ":" or "/".
func isTokenChar(c byte) bool {
	if isAlpha(c) || isDigit(c) {
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~:/", c) >= 0
}

func isBase64(c byte) bool {
	return isAlpha(c) || isDigit(c) || c == '+' || c == '/' || c == '='
}
