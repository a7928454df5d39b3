// Package headers reads the rate-limit claims a server makes in its response
// headers: X-RateLimit-* and X-Rate-Limit-* counters, the IETF draft fields
// (RateLimit-Limit/-Remaining/-Reset in drafts up to 06; the structured RateLimit
// and RateLimit-Policy fields from draft 07 on), Retry-After (RFC 9110), reset
// times in every format seen in the wild, and vendor variants named by the
// scenario.
//
// It owns the parsing only: it says what a response claims, never whether the
// claim is true (the conformance checks judge that against a limiter model). It
// includes a parser for RFC 9651 structured field Lists and Dictionaries.
//
// The package is pure: it does no I/O, never reads the clock (callers pass the
// response's receive time) and never panics on any input. It imports only the
// standard library, and not net/http: HTTP-dates are parsed here with the three
// layouts RFC 9110 allows.
//
// Header maps are looked up without regard to case: the names recorded in an
// observation are canonical ("X-Ratelimit-Limit") while conventions and scenarios
// spell them as documented ("X-RateLimit-Limit").
package headers
