// Package results owns the run directory: the Observation record, the streaming
// writer that appends observations as they arrive, the reader that replays them,
// and the run metadata. It imports the standard library and one compressor
// (github.com/klauspost/compress/zstd, for observations.bin); it must not
// import any other ratecheck package.
//
// # Run directory format (schema version 2)
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
//	observations.bin    the observations in compressed blocks, appended as
//	                    responses arrive (so in completion order, not send
//	                    order; seq gives the send order).
//	report.json         the report, written by the CLI at the end ([ReportFile]).
//
// observations.bin starts with the 8 bytes "RCOBS01\n" and is followed by
// blocks. Each block is a 16-byte header (little-endian uint32s: the length
// of the compressed bytes, the number of observations, the length of the
// raw records, the CRC-32C of the compressed bytes) and one zstd frame
// holding the block's records: compact binary records with times and
// sequence numbers delta-encoded and repeated strings referenced, decodable
// without the blocks before (record.go describes the encoding). The writer
// closes a block once its first observation is 0.5 s old (the run checks
// every 250 ms), when it passes about 1 MiB raw, and at the end: a process
// that dies loses at most 0.75 s. A typical run takes 3 to 16 bytes per
// observation, where a JSON line took about 200.
//
// After a crash the file may end in a block cut short (or torn: its checksum
// does not match). Readers skip such a last block and say so ([Run.Cut]); a
// block that does not decode anywhere else is an error naming the file, the
// block and its byte offset.
//
// # Schema version 1: observations.jsonl
//
// Runs written before observations.bin hold observations.jsonl instead, which
// [Run.Observations] still reads. Each line is a JSON object terminated by
// "\n", with the keys in this order (keys marked * are left out when empty):
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
// Lines are decoded with encoding/json (a fast path takes the exact form the
// writer of version 1 wrote), unknown keys ignored. A last line cut short
// (no "\n") is skipped; a line that cannot be decoded anywhere else is an
// error that names file:line. Blank lines are skipped.
//
// The directory holds no secrets: observations carry key ids, and the writer
// strips user information and query values from meta.json's target.
package results
