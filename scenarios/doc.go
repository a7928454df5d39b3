// Package scenarios owns the scenario file: the schema of a rate-limit contract,
// loading it from YAML with positions, and validating it; package plan turns a
// Scenario into the phases of a run. It imports only go.yaml.in/yaml/v3 and the
// standard library; it must not import plan, attack, conformance, report,
// results or anything that does I/O beyond reading the scenario file in Load.
//
// # Loading
//
// Load and Parse decode the file into a yaml.Node and walk it, so every problem
// carries file:line:col. All problems are collected in one pass and returned as
// an ErrorList, sorted by position, one per line:
//
//	scenarios/x.yaml:6:5: limits[0].window: "fast" is not a duration (want e.g. 1s, 1m, 24h, day, month)
//
// Find it with errors.AsType[scenarios.ErrorList](err). A file that cannot be
// read is a plain wrapped error, not an ErrorList. YAML syntax errors are
// reported at their line, column 1 (yaml.v3 gives no columns).
//
// Every type with a Pos field gets the position of its mapping in the file;
// Auth.Pos and Headers.Pos stay zero when their section is absent. Defaults are
// filled in, so consumers never see an empty Method, Scope, Algorithm,
// Recovery, Convention or ResetFormat, and Burst is Requests unless written.
//
// # Format
//
// A scenario file is one YAML document. Fields not listed here are errors.
//
//	name: copilot                 # required, [a-z0-9-]+
//	source: docs/apis/000_39ffa575775ab4fa.txt  # the API document the contract is taken from
//	description: Copilot REST API # optional
//	target: https://api.copilot.com  # the base URL, http or https; absent: the built-in reference target
//	plan: starter                 # required iff a limit has plans; must be a plan of every such limit
//
//	auth:                         # optional; absent means the API takes no key
//	  header: X-API-KEY           # required: the header that carries the key
//	  scheme: ""                  # "" sends the raw key; Bearer (any case) sends "Bearer <key>"
//	  keys:                       # id -> ${ENV_NAME}, in order; at least one; the first is the default
//	    primary: ${COPILOT_API_KEY}  # only ${NAME}: a key written into the file is an error
//	    reader:                   # or a mapping, to give the key scopes:
//	      env: ${READ_ONLY_KEY}   #   required, ${NAME} as above
//	      scopes: [read]          #   the scopes it holds; without scopes a key holds every scope
//	      optional: true          #   it may be left unset: the run goes without it and the
//	                              #   checks that need it skip (never the first key)
//
//	endpoints:                    # at least one
//	  - name: list-clients        # required, unique
//	    method: GET               # GET (default), POST, PUT, PATCH, DELETE, HEAD, OPTIONS; any case
//	    path: /v1/clients         # required, starts with /; joined to target
//	    headers: {Content-Type: application/json}  # optional, in order; never the auth header
//	    body: {name: My Project}  # optional: any YAML value, sent as JSON; a string is sent verbatim
//	    auth: none                # optional: key (default) or none, for requests sent without the key
//	    scopes: [write, admin]    # optional: a key needs one of these to call it (else 403);
//	                              # needs auth, not allowed with auth: none
//
//	limits:                       # at least one
//	  - name: per-second          # required, unique
//	    requests: 20              # a whole number >= 1 per window; or plans: instead (exactly one)
//	    plans: {starter: 2000, enterprise: unlimited}  # per plan: a whole number >= 1 or unlimited
//	    window: 1s                # required: a Go duration (1s, 90s, 1m, 24h) or second, minute,
//	                              # hour, day, month (Month, 30 days); a window of an hour or
//	                              # more is a quota (Limit.IsQuota), judged by the quota checks
//	    scope: key                # key (default with auth), ip, global (default without auth)
//	    algorithm: any            # any (default), fixed-window, sliding-window, token-bucket, gcra, leaky-bucket
//	    burst: 20                 # token-bucket, gcra, leaky-bucket, or any (then some bucket); >= 1; default requests
//	    recovery: 1s              # promised time until requests succeed again; default window
//	    endpoints: [list-clients] # optional: the endpoints it counts (default all)
//	    exclude: [create-api-key] # optional: endpoints it does not count
//
//	headers:                      # optional; absent means convention none
//	  convention: x-ratelimit     # none (default), x-ratelimit, ratelimit, structured;
//	                              # with none only retry_after may be set, with structured
//	                              # no header names and no reset_format
//	  limit: X-RateLimit-Limit    # header names default from the convention:
//	  remaining: X-RateLimit-Remaining  #   x-ratelimit: X-RateLimit-Limit, -Remaining, -Reset
//	  reset: X-RateLimit-Reset    #   ratelimit:   RateLimit-Limit, -Remaining, -Reset
//	                              #   structured:  the RateLimit and RateLimit-Policy fields (no names)
//	                              # a name written as "" means the API does not send that header;
//	                              # a list names it and its aliases: remaining: [X-RateLimit-Remaining,
//	                              # X-Rate-Limit-Remaining] (recorded and judged under the first name)
//	  reset_format: epoch-seconds # auto (default), delta-seconds (default for ratelimit and
//	                              # structured), epoch-seconds, epoch-millis, http-date, rfc3339
//	  retry_after: true           # Retry-After is promised on 429 (default false; allowed with none):
//	                              # true or either (delay-seconds or an HTTP-date), seconds, http-date
//	  describes: per-minute       # the limit the headers report (default the first limit)
//	  accuracy: exact             # exact (default) or approximate
//	  staleness: 60s              # required with approximate, not allowed otherwise
//	  on_errors: true             # headers are also sent on 429 responses (default true)
//	  ignore: [X-Cdn-RateLimit-Remaining] # optional: headers neither recorded nor read, as if
//	                              # never sent (another layer's counts); not a promised one
//
//	errors:                       # optional: status (100-599) -> shape, in order
//	  429:
//	    body: {error: string}     # a JSON shape; a leaf naming a JSON type (string, number,
//	                              # integer, boolean, object, array, null, any) matches any value
//	                              # of that type, any other scalar must match exactly
//
//	phases:                       # optional: when present, used as written instead of derived
//	  - name: warmup              # default the kind; unique
//	    kind: under               # required: under, at, over, probe, pause, recovery
//	    rate: 2x                  # a multiple of a limit's rate (2x, 0.5x) or absolute (40/s,
//	                              # 100/m, 5/h); required except for pause, which has none
//	    limit: per-second         # the limit a multiple refers to (default the tested limit)
//	    duration: 3s              # required, > 0
//	    endpoint: list-clients    # default: the first endpoint the tested limit counts
//	    key: primary              # default: the first key
//
//	run:                          # optional
//	  connections: 32             # default 32; also bounds the bursts of over-limit phases
//	  timeout: 10s                # per request; default 10s
//	  max_duration: 5m            # the longest run the planner may plan; default 5m
package scenarios
