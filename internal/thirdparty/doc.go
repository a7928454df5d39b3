// Package thirdparty holds no code, only tests: it runs ratecheck against rate
// limiters written by others, on loopback, and asserts the verdicts. A correct
// limiter that ratecheck calls broken is a bug in ratecheck, unless the limiter
// breaks the contract it documents; each verdict below says which, and why.
// Nothing may import this package; its tests import the libraries (test-only
// requirements of the module), the runner, conformance and headers.
//
// # What runs
//
// TestLibraries sends the derived plan of a 20-per-second limit (under 10/s for
// 2 s, over 40/s for 3 s, pause 1 s, recovery 10/s for 2 s; since then also a
// burst phase before the paced over phase and a probe after it) through
// internal/runner, as `ratecheck run --target` does, at five libraries' own
// middleware: once with the contract the library documents and once with
// "20 per second" and the family left open (algorithm any). It also replays
// each stored run (the same verdict must come out) and reads every response's
// rate-limit headers with headers as the contract declares them.
// TestNginx does the same against nginx's limit_req (Debian's nginx-light,
// which .ci/run installs; Linux only), started per run from a generated configuration in a
// temporary directory. All runs go at once: about 13 s in all, so they are
// long tests (internal/longtest): they run with RATECHECK_LONG=1, as .ci/run does.
//
// TestSmoothingVersusWindow replays the same plan on the synctest clock
// against x/time/rate buckets of 1 and 21, which decide like nginx without and
// with burst=20 nodelay: exact decisions, no timing tolerance.
//
// TestSlidingWindowCounter and TestSmoothingIsNamed began as failing
// reproductions of what ratecheck got wrong (see below); both pass since the
// sliding-window counter model and the named fingerprint exist (see "Since
// then").
//
// # Conclusions of the first survey (22 Nov 2026)
//
// The checks ratecheck performed then were limit.enforced (enf), limit.no-early-reject
// (early), limit.status (status) and recovery.after-window (rec); timing.onset,
// headers.* and body.error-format were "not checked yet by that version".
// "headers" is what package headers read from the responses.
//
//	implementation            contract declared           enf   early  status rec   headers
//	go-chi/httprate v0.16.1   sliding-window 20/1s        pass* FAIL   pass   pass  read; Reset up to 1 s in the past
//	  LimitBy(20, 1s)         any                         pass* FAIL   pass   pass
//	ulule/limiter v3.11.2     fixed-window 20/1s          pass  pass   pass   pass  read; Reset up to 1 s in the past
//	  memory store, stdlib    any                         pass  pass   pass   pass
//	sethvargo/go-limiter      fixed-window 20/1s          pass  pass   pass   pass  Reset, Retry-After malformed ("UTC")
//	  v0.7.1, httplimit       any                         pass  pass   pass   pass
//	x/time/rate v0.14.0       token-bucket 20/s, burst 20 pass  pass   pass   pass  none sent
//	  in a 10-line handler    any                         pass  pass   pass   pass
//	didip/tollbooth v7.0.2    token-bucket 20/s, burst 20 pass  pass   pass   pass  read; Reset always 1 s
//	  NewLimiter(20)          any                         pass  pass   pass   pass
//	nginx 1.22 limit_req      leaky-bucket 20/s, burst 1  pass  pass   pass   pass  none sent
//	  rate=20r/s, no burst    fixed-window 20/1s          pass  FAIL   skip†  pass
//	                          any                         pass  FAIL   pass†  pass
//	nginx 1.22 limit_req      leaky-bucket 20/s, burst 21 pass  pass   pass   pass  none sent
//	  burst=20 nodelay        any                         FAIL‡ pass   pass   pass
//
// Why, row by row:
//
//   - httprate is a sliding-window counter (Cloudflare's): windows aligned to
//     the limiter's creation, a request admitted while
//     round(prev·(1−f) + curr) + 1 ≤ 20, f the fraction of the current window
//     gone. Headers X-RateLimit-Limit/-Remaining/-Reset (the end of the
//     counting window in epoch seconds, floored) and Retry-After: 1 on 429.
//     The FAIL is a ratecheck bug: conformance judges sliding-window as a
//     sliding log, and the counter rightly rejects with 19 admitted in the last
//     second when the previous window's requests came late in it ("25 requests
//     were rejected while under the limit ... rejected with 19 admitted in the
//     1s before it"). *The same gap sometimes fails limit.enforced ("21
//     admitted within 0.98 s"): a counter may admit more than 20 in a rolling
//     second when the previous window's requests came early. The runs skip
//     with the reason; TestSlidingWindowCounter reproduces both exactly, with
//     an exact counter and with httprate itself. Under any the best family is
//     still a sliding log or a window, so any fails it too.
//   - ulule/limiter's memory store is a fixed window that starts at the first
//     request after the previous one expired; rejected requests count but do
//     not extend it. ratecheck finds "fixed-window, first-request-aligned" and
//     passes it, declared or any. Its X-RateLimit-Reset is the expiry floored
//     to the second, so a client waiting for it may retry up to 1 s early: the
//     coming headers.reset check must allow the 1 s resolution of epoch seconds.
//   - sethvargo/go-limiter names a bucket but refills it whole once per
//     interval counted from the key's first request (availableTokens is set to
//     min(ticks·interval/tokens, tokens), which is full after any tick): fixed
//     windows, chained. As fixed-window, or any, it passes. Its reset and
//     Retry-After are time.RFC1123 in UTC, "Sun, 22 Nov 2026 15:05:59 UTC",
//     which is not an HTTP-date (RFC 9110 wants "GMT"); ratecheck's reader
//     refuses them, rightly: that is the library breaking its declared header
//     contract, and headers.reset and headers.retry-after should fail it once
//     they are checked.
//   - x/time/rate and tollbooth (which wraps it per IP and path) are token
//     buckets of 20 refilled at 20/s: pass, declared or any (the best family is
//     the token bucket). tollbooth's RateLimit-Reset is the constant 1: an
//     upper bound for a full refill, not when the next request passes (50 ms).
//   - nginx's limit_req is a leaky bucket. Without burst it admits one request
//     per 50 ms: declared as a leaky bucket of 1 it passes everything. Promised
//     as "20 per second" (fixed-window, or any) it is caught rejecting early
//     ("rejected with 1 admitted in the window starting +2.000 s"): the
//     right verdict, since a smoothing limiter rejects a burst of 20 that a
//     window admits. The verdict says which family it judged against (the
//     promise) and how many were admitted in that window, but not that a
//     smoothing limiter was seen: a gap (TestSmoothingIsNamed), since
//     DESIGN.md promises the family and parameters that best explain the
//     decisions. †Judged as a fixed window, limit.status skips with "the run
//     never exceeded the limit", though some 60 requests got 429: no rejection
//     was one the window model expected, so none counted as limited; the
//     wording misleads. Under any the best family is a fixed window or a
//     sliding log from run to run, and status skips or passes with it.
//   - With burst=20 nodelay nginx admits 21 at once (the first request leaves
//     the excess at 0, then 20 more fit in burst=20), then 20/s: a bucket of
//     21 passes everything. Promised as "20 per second" any, ‡it admits 40 within
//     0.98 s where a bucket of 20 allows 39.6: over every family of 20 per
//     second, rightly failed. The excess is under one request (about 25 ms),
//     so on a slow machine the live run may report it as ambiguous instead;
//     TestSmoothingVersusWindow shows it exactly.
//
// # Since then
//
// timing.onset, headers.* and body.error-format are now checked, the
// sliding-window counter model exists (httprate passes every check, declared
// or any), and the verdict names the best explanation, smoothing included
// (TestSmoothingIsNamed). headers.reset and headers.retry-after failed
// sethvargo/go-limiter for a while on its "… UTC" dates; that was a false
// alarm: the dates are not HTTP-dates, but they name their instant exactly,
// and a client (Go's own net/http.ParseTime aside) can read them. Package
// headers now reads them, and numeric zones and fractional delay-seconds,
// with a warning in the check's result, never a failure; the dates are then
// judged like any other (sethvargo's point at the real recovery: pass). Every
// library passes every check of its documented contract.
//
// The measured recovery (a probe polls every 10 ms right after the over
// phase; 22 Nov 2026, loopback): the fixed windows of ulule/limiter and
// sethvargo/go-limiter lift 0.795 s ± 6 ms after the first 429 of a window,
// that is at the window's end (the probe's 20 admissions take 0.2 s of it);
// the buckets of x/time/rate and tollbooth, httprate's counter and nginx
// limit_req lift one interval of the rate after a 429 (0.035–0.046 s ± 3–7 ms,
// the 50 ms of a 20/s refill less the time since the last token). All within
// the promised 1 s.
//
// # More limiters and gateways (issue 11 item 12)
//
// TestRedisLimiters: ulule/limiter with its Redis store on miniredis (whose
// TTLs a go-redis hook keeps on the real clock), correct, configured with 21
// for a promise of 20 (limit.enforced and headers.limit fail), and with
// docs promising a Retry-After it never sends (headers.retry-after fails).
// TestNginx adds limit_req burst=20 without nodelay (queued, answered up to
// 1 s late: the decisions of a bucket of 21; undecided in every run until
// the point estimate of an arrival stopped counting the queue's delay) and
// limit_req without
// limit_req_status (nginx's default 503: limit.status fails). TestHAProxy:
// stick tables counting admitted requests (gpc0_rate, incremented after the
// deny) pass as a sliding-window counter or "20 per second"; the common
// http_req_rate configuration counts denied requests, and a client retrying
// is locked out past the promise (recovery.after-window fails). What
// ratecheck still gets wrong there is in docs/findings.md.
//
// TestGCRALimiters (7 Dec 2026): throttled/throttled v2.13.0 (its own
// HTTPRateLimiterCtx middleware on its memory store and on Redis) and
// go-redis/redis_rate v10.0.1 (its Lua script on miniredis, behind the
// handler an API writes from its Result), each a GCRA of 20 per second with
// a burst of 20, with X-RateLimit-Limit/-Remaining, a Reset in seconds until
// the bucket is full again and Retry-After. Correct, declared as gcra or as
// "20 per second", they pass every check on their first runs (a GCRA decides
// as a token bucket does, and the fingerprint says so); throttled's MaxBurst
// taken for the burst (MaxBurst 20 is a bucket of 21) fails limit.enforced and
// headers.limit (21 stated); redis_rate's PerSecond(20) under docs promising a
// burst of 10 fails limit.enforced alone.
//
// TestAPIStacks (7 Dec 2026): the contract beyond the rate (per-key
// isolation, an excluded endpoint, auth refusals not counted, error bodies)
// against a real limiter, not only the reference target: an API built on
// net/http with an authentication middleware of its own and a limiter's
// middleware keyed by X-API-KEY (httprate's sliding-window counter with
// approximate headers and Retry-After; ulule/limiter's fixed window with
// exact headers, which the isolation, exclusion and auth checks then compare
// too), its docs stated as a scenario with two keys, scopes and an error
// envelope (stackScenario). Its first run failed limit.excluded on the
// correct stack: the plan paused one window before each attempt, and a
// sliding-window counter still weighed the previous window's count, so the
// counted burst after the excluded calls was rejected. A limit that may be a
// counter (sliding-window, or any) now pauses two windows (plan.FreshAfter),
// and auth.not-counted, whose attempts share those pauses, says it is
// undecided when no attempt began on a fresh budget. The stack keyed by
// address (the library's default) fails limit.per-key alone; usage mounted
// behind the limiter fails limit.excluded alone; the limiter placed before
// authentication, keyed by the key as sent, charges refused requests to
// budgets of their own and passes.
//
// TestPerMinuteLimiters (7 Dec 2026): the seed docs' other common promise,
// 60 per minute with X-RateLimit-Reset in epoch seconds, against ulule,
// httprate, sethvargo and x/time/rate (a token a second, 60 at once),
// about 100 s a run, all at once (not in the matrix script: ten runs would
// add a quarter of an hour). Correct, they pass, or are undecided where
// the plan's bursts race (the bucket's rejections each raced an admission
// of their burst: limit.no-early-reject undecided). Their first run found
// recovery.after-window undecided on the bucket: no streak's lift could be
// seen, and the recovery phase's admitted first request is now its
// evidence. ulule configured with 61 fails headers.limit (it says 61); its
// limit.enforced fails or is undecided: the plan drives one window past
// the limit, and a clock-aligned window starting just after the first
// request explains 61 admissions as 1 + 60.
//
// TestFarLimiters (7 Dec 2026): the libraries behind the latency proxy
// the reference target's far matrix uses (50 ms ± 25 ms one way). Correct,
// none fails a check; the bucket and counter limits are often undecided
// (arrival times uncertain by 80–110 ms, in which the limit frees 1.6–2.2
// requests), so such runs are inconclusive, never a pass. ulule configured
// with 21 fails headers.limit and, in 15 of 16 runs, limit.enforced; its
// first run passed limit.enforced (finding F15).
//
// TestPerIPLimiters (7 Dec 2026): a limit per client address, judged with
// a second client sent from 127.0.0.2 as `ratecheck run` does against a
// loopback target (plan.Sources). httprate and ulule keyed by address, their
// default, keep the two clients apart and pass limit.per-ip; httprate keyed
// by a constant (a limit meant per client shipped global) makes them share
// one budget and fails limit.per-ip alone.
//
// TestPyLimits (7 Dec 2026): a limiter from outside Go, the Python limits
// library (Debian's python3-limits, which .ci/run installs) behind a small
// HTTP API writing Flask-Limiter's headers from the library's window
// statistics (testdata/limits_server.py). Its fixed window (first-request-
// aligned, rejected hits counted) and moving window (a sliding log) pass,
// declared and as "20 per second". Their first run found two false fails in
// the header checks: the library reads its statistics after the hit, and a
// window that ended in between is answered with the full quota and a reset
// of now (headers.remaining: "at the full limit right after an admission";
// a reset that has come by the receipt now describes the next window), and
// the elastic-expiry window's truthful resets were failed for the
// rejections its broken recovery caused (headers.reset and
// headers.retry-after now defer to the model check that blames those
// rejections, as headers.remaining did). The elastic window fails
// limit.no-early-reject (its window never ends while the plan's first 20
// requests arrive at 10/s, so the burst's first request is refused with the
// budget unused) and recovery.after-window; configured with 21 it fails
// limit.enforced and headers.limit. Two limits at once, hit in order as
// Flask-Limiter hits a view's ("20/second;200/minute" and the reverse),
// pass TestTwoLimits' scenario; the reverse order's first run failed
// limit.no-early-reject once a run: the per-minute limit's first refusal
// came while the request before it (counted first) was still on its way
// back, its answer held 40 ms by Nagle's algorithm and a delayed ACK, and
// the attribution counted only requests already observed. It now counts
// those still in flight as maybe counted.
//
// TestFlaskLimiter (7 Dec 2026): Flask-Limiter itself (Debian's
// python3-flask-limiter, which .ci/run installs), as a Flask API deploys it,
// with its own headers: read after the view ran, the reset written as
// int(reset)+1 and Retry-After on every response. Its first runs failed
// headers.remaining on the correct fixed window in 4 of 6 runs ("20
// remaining right after an admission"): a window that ended between the
// decision and the headers' reading answers the full quota with the ended
// window's reset a second late, and the countdown excused a full value only
// where the claimed reset's nominal time had come. It now asks whether the
// earliest time the claim allows had come. The fixed and moving windows,
// Retry-After as an HTTP-date, and two limits at once pass; the elastic
// window and 21 for 20 fail as the limits library's do.
//
// TestTwoLimits (7 Dec 2026): the seed docs' other shape, a per-second limit
// beside a longer one ("20 per second and 200 per minute"), written as APIs
// write it: one ulule/limiter middleware per limit. The plan's traffic
// spends the per-minute budget, whose 429s are its own, not the per-second
// limit's early rejections. Its first run failed the correct stack with the
// per-minute middleware outside (limit.no-early-reject and
// recovery.after-window): that middleware counts the requests the inner one
// refuses and runs out after 200 requests, while the attribution to a
// longer limit counted admissions only. It now counts both ways. The
// per-second limit configured with 21 fails limit.enforced alone.
//
// TestPerMethodLimits (7 Dec 2026): reads 10 per second and writes 3 per
// second, counted apart, one ulule/limiter middleware per method. ratecheck
// tested only the first limit with the shortest window, so the writes were
// never driven and a broken writes limiter passed; each such limit now has a
// run of its own (plan.TestableLimits). The writes run fails limit.enforced
// alone when the writes limiter admits 4, and when the route has none.
//
// TestRefillRate (7 Dec 2026): "5 per second, bursts of up to 20" against
// x/time/rate with the refill rate wrong (6 and 4 a second, burst right).
// The fast one failed limit.no-early-reject beside limit.enforced: the
// bucket model left its over-admissions uncharged when judging rejections.
// Over-admissions now anchor the rejections after them (the bucket is
// empty from their arrival); each mistake fails its own check.
//
// TestFlakyUpstream (7 Dec 2026): httprate, ulule and x/time/rate in front
// of an upstream answering one request in 37 with 502. httprate's correct
// counter failed limit.no-early-reject: the 502s were taken for its
// rejections. A limiter that answers 429 decides with it, so its other
// 5xx but 503 are now server errors, named by limit.status, not judged.
// The same day, an upstream answering 503 (one in 37, or one in 5) failed
// httprate the same way: a 503 beside 429s was kept a decision, since
// limiters answer it too (nginx's default). Whose a 503 is now comes from
// when the 503s came (records.Answers): an upstream's whenever requests
// are admitted, a limiter's only while it limits. Both upstreams pass;
// httprate answering every other limited request 503 fails limit.status
// alone; 503s too few to tell, all while limiting, leave limit.status
// undecided.
//
// TestPerPathLimits (7 Dec 2026): a limit shared by two endpoints; tollbooth
// keys by address and path, so each endpoint had a budget of its own, and
// passed while the plan drove one endpoint. The paced over phase now sends
// its middle to the second endpoint, and tollbooth fails limit.enforced.
//
// TestLayeredLimits (7 Dec 2026): "10 per second per key, 15 in all",
// deployed as ulule/limiter twice (keyed by a constant, then by the API
// key). The scenario had one run, of the per-key limit: an API without the
// overall limiter, or with it keyed per key by mistake, passed. The overall
// limit now has a run that sends from three keys at once, each at 8 a
// second; it fails both mistakes, and a limit of 16, on limit.enforced. The
// same test found the per-key run's limit.per-key failing a correct API:
// its isolation attempt came right after other phases, so the overall
// limiter, already spent, answered key B's requests 429. The attempts now
// start once such a limit is fresh, and a 429 to B that a limit shared by
// both keys could have caused is no proof (skip, saying so). nginx with two
// limit_req zones (per key, and one for all) passes both runs; without the
// overall zone its run fails limit.enforced. (An overall zone keyed by an
// empty variable, $server_name without a server_name, counts nothing: nginx
// skips empty keys; the test keys it by a map's constant.)
//
// One trap for anyone writing such a test: nginx's `return 200` answers in the
// rewrite phase, before limit_req (preaccess) runs, so a location that returns
// is never limited, and ratecheck rightly fails it (limit.enforced, nothing
// rejected). The tests serve a static file instead.
package thirdparty
