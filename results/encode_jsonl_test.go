package results

import (
	"errors"
	"strconv"
	"time"
	"unicode/utf8"
)

// errYearRange is returned for a send time that RFC 3339 cannot express.
var errYearRange = errors.New("sent time's year outside of range [0,9999]")

// appendObservation appends o to dst as one line of observations.jsonl,
// newline included: the format of runs written before observations.bin, which
// the tests write with it to prove such runs still read. The bytes equal
// json.Marshal's for o with Sent in UTC (see the package documentation). On
// error dst is returned unchanged.
func appendObservation(dst []byte, o Observation) ([]byte, error) {
	sent := o.Sent.UTC()
	if y := sent.Year(); y < 0 || y > 9999 {
		return dst, errYearRange
	}
	b := append(dst, `{"seq":`...)
	b = strconv.AppendUint(b, o.Seq, 10)
	b = append(b, `,"phase":`...)
	b = strconv.AppendInt(b, int64(o.Phase), 10)
	b = append(b, `,"endpoint":`...)
	b = appendString(b, o.Endpoint)
	if o.KeyID != "" {
		b = append(b, `,"key":`...)
		b = appendString(b, o.KeyID)
	}
	b = append(b, `,"sent":"`...)
	b = sent.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","latency":`...)
	b = strconv.AppendInt(b, int64(o.Latency), 10)
	b = append(b, `,"status":`...)
	b = strconv.AppendInt(b, int64(o.Status), 10)
	if len(o.Headers) > 0 {
		b = append(b, `,"headers":`...)
		b = appendHeaders(b, o.Headers)
	}
	if o.Body != "" {
		b = append(b, `,"body":`...)
		b = appendString(b, o.Body)
	}
	if o.Error != "" {
		b = append(b, `,"error":`...)
		b = appendString(b, o.Error)
	}
	return append(b, "}\n"...), nil
}

// appendHeaders appends h as a JSON object with its keys sorted, as
// encoding/json does. Up to 16 headers are sorted without allocating.
func appendHeaders(b []byte, h map[string]string) []byte {
	var small [16]string
	keys := small[:0]
	for k := range h {
		keys = append(keys, k)
	}
	insertionSort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		b = appendString(b, h[k])
	}
	return append(b, '}')
}

// insertionSort sorts a few strings in place; header maps are small.
func insertionSort(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

const hexDigits = "0123456789abcdef"

// safeASCII marks the ASCII bytes that appear unescaped in a JSON string as
// encoding/json writes it: printable, and not '"', '\\', '<', '>' or '&'.
var safeASCII = func() (t [utf8.RuneSelf]bool) {
	for c := ' '; c < utf8.RuneSelf; c++ {
		t[c] = true
	}
	t['"'], t['\\'], t['<'], t['>'], t['&'], t[0x7f] = false, false, false, false, false, true
	return t
}()

// appendString appends s as a quoted JSON string escaped exactly as
// encoding/json escapes it: short escapes for \b \f \n \r \t \" \\, \u00XX
// for other control bytes and for < > &, \u2028 and \u2029 for the line and
// paragraph separators, and \ufffd for each byte of invalid UTF-8.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if safeASCII[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			b = appendEscapedByte(b, c)
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendEscapedByte appends the escape for an ASCII byte that is not safe.
func appendEscapedByte(b []byte, c byte) []byte {
	switch c {
	case '"', '\\':
		return append(b, '\\', c)
	case '\b':
		return append(b, '\\', 'b')
	case '\f':
		return append(b, '\\', 'f')
	case '\n':
		return append(b, '\\', 'n')
	case '\r':
		return append(b, '\\', 'r')
	case '\t':
		return append(b, '\\', 't')
	}
	return append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
}
