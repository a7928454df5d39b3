package response

import (
	"fmt"
	"strings"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/headers"
)

// lenience counts the header values a checker read leniently: readable, but
// not in their standard form (a Retry-After date in "UTC"). They are shown
// with the result, as warnings, and never fail it.
type lenience struct {
	n     int
	first string // the first warning, as headers.Warning prints it
}

// add counts w when it is not nil.
func (l *lenience) add(w *headers.Warning) {
	if w == nil {
		return
	}
	if l.n == 0 {
		l.first = w.String()
	}
	l.n++
}

// addNamed counts the warnings of a claim about the named header.
func (l *lenience) addNamed(ws []*headers.Warning, name string) {
	for _, w := range ws {
		if strings.EqualFold(w.Header, name) {
			l.add(w)
		}
	}
}

// apply adds the warnings to res: a sentence in its Warning field and at the
// end of its message. A result without warnings is left as it is.
func (l *lenience) apply(res check.Result) check.Result {
	if l.n == 0 {
		return res
	}
	w := fmt.Sprintf("read leniently %s (first: %s)", times(l.n), l.first)
	res.Message += "; " + w
	res.Warning = w
	return res
}
