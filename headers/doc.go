// Package headers reads the rate-limit claims a server makes in its response
// headers: X-RateLimit-* and X-Rate-Limit-* counters, the IETF draft fields
// (RateLimit-Limit/-Remaining/-Reset in drafts up to 06; the structured RateLimit
// and RateLimit-Policy fields from draft 07 on), Retry-After (RFC 9110), reset
// times in every format seen in the wild, and vendor variants named by the
// scenario.
//
// It is the one source of the header conventions: their names (Convention, the
// words a scenario declares), default header names, reset formats and parsers,
// each convention one row of a table in a file of its own (convention_*.go)
// and each reset format one row of the reset table (reset.go). The scenario
// loader validates against it, the conformance checks read with it and the
// reference target writes the names and formats it lists.
//
// It owns the parsing only: it says what a response claims, never whether the
// claim is true (the conformance checks judge that against a limiter model). It
// includes a parser for RFC 9651 structured field Lists and Dictionaries. It
// holds no limiter model, so the reference target may import it without
// sharing the checker's models.
//
// The package is pure: it does no I/O, never reads the clock (callers pass the
// response's receive time) and never panics on any input. It imports only the
// standard library (cmd/ratecheck/deps_test.go enforces it), and not net/http: HTTP-dates are parsed here with the three
// layouts RFC 9110 allows.
//
// Header maps are looked up without regard to case: the names recorded in an
// observation are canonical ("X-Ratelimit-Limit") while conventions and scenarios
// spell them as documented ("X-RateLimit-Limit").
package headers
