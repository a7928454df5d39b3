package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/internal/reftarget"
	"github.com/ratecheck/ratecheck/internal/runreport"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/report"
	"github.com/ratecheck/ratecheck/scenarios"
)

// TestShardsMergeIntoOneRun runs four shard processes' worth of the short
// scenario at a shared start time against one reference target, one shard
// with its clock 180 ms off, and judges their run directories together. The
// merged run is judged as the whole plan: a correct target passes, and the
// off-by-one fault fails limit.enforced alone, though no shard alone sent
// more than half the limit's rate. The merge finds the skewed clock.
func TestShardsMergeIntoOneRun(t *testing.T) {
	t.Parallel()
	const skewed, skew = 2, 180 * time.Millisecond
	for _, tc := range []struct {
		name     string
		fault    string
		noDate   bool // the target sends no Date header: no clock to align on
		wantFail []string
		wantCode int
	}{
		{name: "correct target"},
		{name: "off-by-one", fault: "off-by-one", wantFail: []string{"limit.enforced"}, wantCode: 1},
		{name: "no Date headers", noDate: true, wantCode: 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sc, err := scenarios.Load("testdata/short.yaml")
			if err != nil {
				t.Fatal(err)
			}
			keys := demoKeys(sc)
			opts := []reftarget.Option{reftarget.Keys(byValue(keys))}
			if tc.fault != "" {
				opts = append(opts, reftarget.Fault(tc.fault))
			}
			var h http.Handler = reftarget.New(sc, opts...)
			var mu sync.Mutex
			clients := map[string]bool{}
			seen := h
			h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				host, _, _ := net.SplitHostPort(r.RemoteAddr)
				mu.Lock()
				clients[host] = true
				mu.Unlock()
				seen.ServeHTTP(w, r)
			})
			if tc.noDate {
				inner := h
				h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.Header()["Date"] = nil // net/http then sends none
					inner.ServeHTTP(w, r)
				})
			}
			ts := httptest.NewServer(h)
			defer ts.Close()
			env := shortEnv(keys)
			dirs := runShards(t, env, "testdata/short.yaml", ts.URL, func(i int) []string {
				if i == skewed {
					return []string{"--clock-skew", skew.String()}
				}
				return nil
			}, func(i, code int, out string) {
				if code != 0 {
					t.Errorf("shard %d exited %d:\n%s", i, code, out)
				}
			})
			if t.Failed() {
				return
			}
			// Each shard sent from its own loopback address.
			for i := range 4 {
				if a := fmt.Sprintf("127.0.0.%d", 2+i); !clients[a] {
					t.Errorf("the target saw no request from shard %d's address %s (it saw %v)", i, a, clients)
				}
			}
			code, rep, out := judgeShards(t, env, dirs)
			if rep.Requests == 0 || rep.Interrupted {
				t.Fatalf("the merged report counts %d requests, interrupted %v", rep.Requests, rep.Interrupted)
			}
			if tc.noDate {
				if code != 3 || rep.Verdict != check.Inconclusive || !strings.Contains(rep.VerdictReason, "Date header") {
					t.Errorf("without Date headers: exit %d, verdict %s (%s); want 3, inconclusive naming the Date header", code, rep.Verdict, rep.VerdictReason)
				}
				return
			}
			// Every shard's offset from the reference clock, as the notes state it.
			notes := strings.Join(rep.Notes, "\n")
			offset, unc := map[int]time.Duration{}, map[int]time.Duration{}
			for _, m := range regexp.MustCompile(`shard (\d)/4: [^\n]*?(?:clock offset ([+-][0-9.]+[mµn]?s) ± ([0-9.]+[mµn]?s)|reference clock)`).FindAllStringSubmatch(notes, -1) {
				i := int(m[1][0] - '0')
				if m[2] != "" {
					offset[i], _ = time.ParseDuration(strings.TrimPrefix(m[2], "+"))
					unc[i], _ = time.ParseDuration(m[3])
				} else {
					offset[i], unc[i] = 0, 0
				}
			}
			if len(offset) != 4 {
				t.Fatalf("offsets of %d shards in the report's notes, want 4:\n%s", len(offset), notes)
			}
			// The skewed shard's clock reads skew ahead of shard 0's.
			est, bar := offset[skewed]-offset[0], unc[skewed]+unc[0]
			if d := (est - skew).Abs(); d > bar+time.Millisecond {
				t.Errorf("shard %d/4: offset from shard 0 estimated %v ± %v; its clock was %v off", skewed, est, bar, skew)
			}
			// What the merged run can decide depends on how well the clocks
			// were aligned in this run: past one request's spacing the checks
			// that count single requests must not pass (the run is then
			// inconclusive), though a failure found stands.
			worst := max(unc[0], unc[1], unc[2], unc[3])
			tol := runreport.RequestSpacing(plan.New(sc))
			t.Logf("shard %d/4: clock %v off, estimated %v ± %v; worst uncertainty %v (tolerance %v)", skewed, skew, est, bar, worst, tol)
			// The notes round to the millisecond: within one of the
			// tolerance either outcome is right.
			ok := map[int]bool{}
			if worst <= tol+time.Millisecond {
				ok[tc.wantCode] = true // aligned well enough: judged
			}
			if worst >= tol-time.Millisecond {
				ok[3] = true // too uncertain: no pass ...
				if tc.wantCode == 1 {
					ok[1] = true // ... but a failure found on the widened timeline stands
				}
			}
			if !ok[code] {
				t.Fatalf("merged report exited %d, want one of %v:\n%s", code, ok, out)
			}
			failed := failedChecks(rep)
			var wantFail []string
			if code == 1 {
				wantFail = tc.wantFail
			}
			if strings.Join(failed, ",") != strings.Join(wantFail, ",") {
				t.Errorf("merged run exited %d and failed %v, want %v:\n%s", code, failed, wantFail, out)
			}
		})
	}
}

func TestShardKeyEnv(t *testing.T) {
	env := &Env{Getenv: func(k string) string {
		return map[string]string{"K": "shared", "K_SHARD_1": "own"}[k]
	}}
	for _, tc := range []struct{ shard, want string }{{"", "shared"}, {"0/2", "shared"}, {"1/2", "own"}} {
		f := shardFlags{Shard: tc.shard}
		if got := f.keyEnv(env).Getenv("K"); got != tc.want {
			t.Errorf("shard %q reads K as %q, want %q", tc.shard, got, tc.want)
		}
	}
}

// TestShardsPerIPLimitCountsEachAddress: four shards from four loopback
// addresses against a limit counted per source address (short-ip.yaml).
// The merged timeline holds four clients, and the limit counts each apart:
// a correct target, which admits each address its own budget, fails no
// check (judged on the merged timeline as one client it failed
// limit.enforced: four clients' admissions against one budget); a target
// whose per-IP limit is really one budget for all (per-ip-as-global)
// rejects each address under its own budget, which the merged verdict fails.
func TestShardsPerIPLimitCountsEachAddress(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		fault    string
		wantFail []string // checks that must fail; nil: none may
	}{
		{fault: ""},
		{fault: "per-ip-as-global", wantFail: []string{"limit.no-early-reject"}},
	} {
		t.Run("fault="+tc.fault, func(t *testing.T) {
			t.Parallel()
			sc, err := scenarios.Load("testdata/short-ip.yaml")
			if err != nil {
				t.Fatal(err)
			}
			keys := demoKeys(sc)
			opts := []reftarget.Option{reftarget.Keys(byValue(keys))}
			if tc.fault != "" {
				opts = append(opts, reftarget.Fault(tc.fault))
			}
			ts := httptest.NewServer(reftarget.New(sc, opts...))
			defer ts.Close()
			env := shortEnv(keys)
			// A shard alone judges its own slice: its exit code says nothing here.
			dirs := runShards(t, env, "testdata/short-ip.yaml", ts.URL, nil, nil)
			code, rep, out := judgeShards(t, env, dirs)
			failed := failedChecks(rep)
			if strings.Join(failed, ",") != strings.Join(tc.wantFail, ",") {
				t.Errorf("merged run exited %d and failed %v, want %v:\n%s", code, failed, tc.wantFail, out)
			}
			if tc.wantFail == nil && code == 1 || tc.wantFail != nil && code != 1 {
				t.Errorf("merged run exited %d with failures %v", code, failed)
			}
		})
	}
}

// shortEnv is an Env that gives SHORT_API_KEY the key the reference target
// accepts and writes everything to out.
func shortEnv(keys map[string]string) func(out *bytes.Buffer) *Env {
	return func(out *bytes.Buffer) *Env {
		return &Env{Stdout: out, Stderr: out, Getenv: func(k string) string {
			if k == "SHORT_API_KEY" {
				return keys["primary"]
			}
			return ""
		}, Now: time.Now}
	}
}

// runShards runs the four shards of scenario against target at one start
// time, shard i from 127.0.0.(2+i) with extra(i) added to its arguments,
// and returns their run directories. check, if set, is handed each shard's
// exit code and output.
func runShards(t *testing.T, env func(*bytes.Buffer) *Env, scenario, target string, extra func(i int) []string, check func(i, code int, out string)) []string {
	t.Helper()
	root := t.TempDir()
	startAt := time.Now().Add(1500 * time.Millisecond).UTC().Format(time.RFC3339Nano)
	var dirs []string
	var wg sync.WaitGroup
	for i := range 4 {
		dir := filepath.Join(root, fmt.Sprint("shard", i))
		dirs = append(dirs, dir)
		args := []string{"run", scenario, "--target", target, "--no-tui", "--out", dir,
			"--shard", fmt.Sprintf("%d/4", i), "--start-at", startAt, "--source-addr", fmt.Sprintf("127.0.0.%d", 2+i)}
		if extra != nil {
			args = append(args, extra(i)...)
		}
		wg.Go(func() {
			var out bytes.Buffer
			code := run(context.Background(), env(&out), args)
			if check != nil {
				check(i, code, out.String())
			}
		})
	}
	wg.Wait()
	return dirs
}

// judgeShards judges the shards' run directories together and returns the
// exit code, the JSON report and what was printed.
func judgeShards(t *testing.T, env func(*bytes.Buffer) *Env, dirs []string) (int, report.Report, string) {
	t.Helper()
	var out bytes.Buffer
	jsonPath := filepath.Join(filepath.Dir(dirs[0]), "merged.json")
	code := run(context.Background(), env(&out), append(append([]string{"report"}, dirs...), "--json", jsonPath))
	b, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatalf("merged report exited %d and wrote no JSON: %v\n%s", code, err, out.String())
	}
	var rep report.Report
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	return code, rep, out.String()
}

// failedChecks lists the ids of the report's failed checks, in its order.
func failedChecks(rep report.Report) []string {
	var failed []string
	for _, c := range rep.Checks {
		if c.Status == check.Fail {
			failed = append(failed, string(c.ID))
		}
	}
	return failed
}
