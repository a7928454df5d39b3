package attack

import (
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"strings"
)

// Redacted replaces every key (or encoding of one) that a target sent back.
const Redacted = "[REDACTED]"

// minPartial is the shortest tail of a cut body snippet that is hidden as the
// start of a key: a snippet cut at MaxBody may end inside an echoed key.
const minPartial = 4

// A redactor hides the run's API keys in what a target sends back. A target
// may echo a key in a body, a header or an error message, raw or encoded; every
// form it knows is replaced by Redacted before the observation leaves attack,
// so no run directory, report or screen ever holds one.
type redactor struct {
	forms []string // lower-case ASCII forms of every key, longest first
}

// newRedactor knows every key in keys, with the encodings a target is likely
// to echo: raw, URL-escaped (query and path), hex, and base64 (standard and
// URL alphabets, at each of the three byte alignments, so a key inside a
// longer encoded string such as Basic "user:key" is found too).
func newRedactor(keys map[string]string) *redactor {
	seen := map[string]bool{}
	var forms []string
	add := func(s string) {
		s = lowerASCII(s)
		if len(s) < minPartial || seen[s] {
			return
		}
		seen[s] = true
		forms = append(forms, s)
	}
	for _, k := range keys {
		if k == "" {
			continue
		}
		add(k)
		add(url.QueryEscape(k))
		add(url.PathEscape(k))
		add(hex.EncodeToString([]byte(k)))
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
			for _, f := range base64Cores(enc, k) {
				add(f)
			}
		}
	}
	// Longest first, so that a form containing a shorter one is replaced whole.
	for i := 1; i < len(forms); i++ {
		for j := i; j > 0 && len(forms[j]) > len(forms[j-1]); j-- {
			forms[j], forms[j-1] = forms[j-1], forms[j]
		}
	}
	return &redactor{forms: forms}
}

// base64Cores returns, for each alignment of k inside a longer input (0, 1
// or 2 bytes before it), the part of the encoding that depends only on k's
// bytes: the characters touched by neighbouring bytes are dropped.
func base64Cores(enc *base64.Encoding, k string) []string {
	var out []string
	for pad := 0; pad < 3; pad++ {
		s := enc.EncodeToString(append(make([]byte, pad), k...))
		// Characters 4·i … 4·i+3 encode bytes 3·i … 3·i+2; the first group
		// mixes the pad bytes in when pad > 0, the last group any byte after k.
		start := 0
		if pad > 0 {
			start = 4
		}
		full := (pad + len(k)) / 3 * 4 // characters made of k's bytes and the pad only
		if full-start < minPartial*2 {
			continue
		}
		out = append(out, s[start:full])
	}
	return out
}

// String hides every key form in s. cut says s was cut short (a body
// snippet at MaxBody), so a tail that starts a key form is hidden too.
func (r *redactor) String(s string, cut bool) string {
	if r == nil || len(r.forms) == 0 || s == "" {
		return s
	}
	low := lowerASCII(s)
	if !r.any(low, cut) {
		return s
	}
	var b strings.Builder
	last := 0 // s[:last] has been handled
	for i := 0; i < len(low); {
		n := r.matchAt(low[i:])
		if n == 0 {
			i++
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(Redacted)
		i += n
		last = i
	}
	if cut {
		if t := r.partialTail(low[last:]); t > 0 {
			b.WriteString(s[last : len(s)-t])
			b.WriteString(Redacted)
			last = len(s)
		}
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// any reports quickly whether low holds a key form (or, when cut, may end
// with the start of one), the rare case String then rewrites.
func (r *redactor) any(low string, cut bool) bool {
	for _, f := range r.forms {
		if strings.Contains(low, f) {
			return true
		}
	}
	return cut && r.partialTail(low) > 0
}

// matchAt is the length of the key form s starts with, or 0.
func (r *redactor) matchAt(s string) int {
	for _, f := range r.forms {
		if strings.HasPrefix(s, f) {
			return len(f)
		}
	}
	return 0
}

// partialTail is the length of the longest tail of s (at least minPartial)
// that is the start of a key form, or 0.
func (r *redactor) partialTail(s string) int {
	best := 0
	for _, f := range r.forms {
		for n := min(len(f)-1, len(s)); n >= minPartial && n > best; n-- {
			if strings.HasSuffix(s, f[:n]) {
				best = n
				break
			}
		}
	}
	return best
}

// lowerASCII lower-cases ASCII letters only, so byte offsets stay the same.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; 'A' <= c && c <= 'Z' {
					b[j] = c + 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
