package headers

// RetryAfterFormat is the form a scenario promises Retry-After in: the words
// of its retry_after field. RFC 9110 allows either form; an API's
// documentation may promise one.
type RetryAfterFormat string

// The Retry-After forms a scenario may promise.
const (
	RetryAfterSeconds  RetryAfterFormat = "seconds"   // delay-seconds: "30"
	RetryAfterHTTPDate RetryAfterFormat = "http-date" // an HTTP-date: "Tue, 14 Nov 2023 22:13:20 GMT"
	RetryAfterEither   RetryAfterFormat = "either"    // either form, as RFC 9110 allows (retry_after: true)
)

// retryAfterFormats is the table, in the order a scenario's error messages
// list them: each form and how a value in another form is described.
var retryAfterFormats = []struct {
	name RetryAfterFormat
	// other says what a readable value is when it is not of this form, as
	// the end of a sentence; "" when every readable value is.
	other string
}{
	{RetryAfterSeconds, "is an HTTP-date where delay-seconds are promised"},
	{RetryAfterHTTPDate, "is delay-seconds where an HTTP-date is promised"},
	{RetryAfterEither, ""},
}

// RetryAfterFormats returns the forms a scenario may promise, in table order.
func RetryAfterFormats() []RetryAfterFormat {
	fs := make([]RetryAfterFormat, len(retryAfterFormats))
	for i, f := range retryAfterFormats {
		fs[i] = f.name
	}
	return fs
}

// Stray says how a readable Retry-After value v strays from the promised
// form f, as the end of a sentence, or "" when it is of that form (or f is
// either, or unknown). It does not say whether v is readable: see
// ParseRetryAfter.
func (f RetryAfterFormat) Stray(v string) string {
	seconds := false
	if _, ok := parseSeconds(trimOWS(v)); ok || isAllDigits(trimOWS(v)) {
		seconds = true
	}
	switch {
	case f == RetryAfterSeconds && !seconds, f == RetryAfterHTTPDate && seconds:
		for _, row := range retryAfterFormats {
			if row.name == f {
				return row.other
			}
		}
	}
	return ""
}
