// Package results owns the run directory: the Observation record, the streaming
// writer that appends observations as they arrive, the reader that replays them,
// and the run metadata. It imports only the standard library; it must not import
// any other ratecheck package.
//
// # Run directory format (schema version 1)
//
// A run writes one directory, by default runs/<UTC start>-<scenario>/ (see
// [DefaultDir]), for example runs/20261122T142000Z-copilot/. It holds:
//
//	meta.json           run metadata ([Meta]), indented JSON with snake_case keys.
//	                    Written when the run starts (finished absent, interrupted
//	                    false) and rewritten atomically (temporary file + rename)
//	                    when the run ends, with finished and interrupted set.
//	scenario.yaml       the scenario file's bytes, exactly as read, so that
//	                    `ratecheck report RUN_DIR` can re-analyse the run.
//	observations.jsonl  one [Observation] per line, appended as responses arrive
//	                    (so in completion order, not send order; seq gives the
//	                    send order).
//	report.json         the report, written by the CLI at the end ([ReportFile]).
//
// Each line of observations.jsonl is a JSON object terminated by "\n", with the
// keys in this order (keys marked * are left out when empty):
//
//	seq       unsigned integer, the request's sequence number
//	phase     integer, index into the plan's phases
//	endpoint  string, the endpoint's name
//	key*      string, the API key's id (never the key itself)
//	sent      string, RFC 3339 in UTC with up to 9 fractional digits
//	          ("2026-11-22T14:20:00.123456789Z"), the real send time
//	latency   integer, nanoseconds until the response arrived
//	status    integer, the HTTP status; 0 when the request failed in transport
//	headers*  object of string to string, the rate-limit headers as received,
//	          keys sorted
//	body*     string, the first bytes of the body
//	error*    string, the transport error
//
// Strings are escaped exactly as encoding/json escapes them (including <, >, &,
// U+2028 and U+2029), and invalid UTF-8 is written as U+FFFD, so each line is
// byte for byte what json.Marshal gives for the same Observation with Sent in
// UTC. Readers decode lines with encoding/json and ignore unknown keys.
//
// The writer buffers lines and flushes them regularly, so after a crash the file
// may end in a partial line without its "\n". Readers skip such a last line
// silently; a line that cannot be decoded anywhere else is an error that names
// file:line. Blank lines are skipped.
//
// The directory holds no secrets: observations carry key ids, and the writer
// strips user information and query values from meta.json's target.
package results
