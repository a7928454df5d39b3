package bench

import (
	"bufio"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/ratecheck/ratecheck/attack"
	"github.com/ratecheck/ratecheck/conformance"
	"github.com/ratecheck/ratecheck/internal/gcpolicy"
	"github.com/ratecheck/ratecheck/internal/runner"
	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/results"
	"github.com/ratecheck/ratecheck/results/metrics"
	"github.com/ratecheck/ratecheck/scenarios"
)

// BenchmarkRejudge is issue 15's re-judging goal, in process: a stored
// limited run re-judged as `ratecheck report` does it (read
// observations.bin, metrics and waits, every checker, the verdict under
// gcpolicy.Judge; the report files are not written), beside `vegeta report
// -type=json` of the same requests exported to vegeta's gob results
// (decode, vegeta.Metrics, its JSON), so that the two rates come from one
// session on one machine. Each reports obs/s; the goal is 2,000,000/s for
// ratecheck.
//
// The runs are the soak traffic (soak_test.go: 16,000/s under a declared
// limit of 8,000 per 1s), REJUDGE_N observations each (default 1,000,000),
// from two targets: over-admitted, the soak run (bench/target
// enforces nothing, so every window is over-admitted and judged), and
// limited, a target that admits the first 9,000 of each second and answers
// the rest 429 (44% of the requests rejected; 1,000 a second too many for
// every family of the open algorithm, a bucket's burst spent after 8 s).
// They are written once per process to a temporary directory; REJUDGE_DIR
// keeps them there between runs (written when missing, each with its vegeta
// export beside it as NAME.vegeta):
//
//	REJUDGE_DIR=/tmp/rj go test -run '^$' -bench Rejudge -benchtime 3x .
func BenchmarkRejudge(b *testing.B) {
	for _, tt := range []struct {
		name    string
		admits  int    // a second, by the target
		verdict string // limit.enforced's, as a check that the run is judged
	}{
		{"over-admitted", soakRate, "fail"},
		{"limited", 9000, "fail"},
	} {
		dir, vegetaFile := rejudgeRun(b, tt.name, tt.admits)
		run, err := results.Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		n, err := run.Count()
		if err != nil {
			b.Fatal(err)
		}
		b.Run(tt.name+"/ratecheck", func(b *testing.B) {
			for b.Loop() {
				if v := rejudge(b, run); string(v.Checks[0].Status) != tt.verdict {
					b.Fatalf("limit.enforced %s; want %s", v.Checks[0].Status, tt.verdict)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "obs/s")
		})
		b.Run(tt.name+"/vegeta-report", func(b *testing.B) {
			for b.Loop() {
				if got := vegetaReport(b, vegetaFile); got != n {
					b.Fatalf("vegeta report read %d results; want %d", got, n)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "obs/s")
		})
	}
}

// rejudge judges run as cmd/ratecheck's judgeStored does.
func rejudge(b *testing.B, run *results.Run) conformance.Verdict {
	sc, err := scenarios.Parse(run.Meta.ScenarioFile, run.Scenario)
	if err != nil {
		b.Fatal(err)
	}
	p := plan.New(sc)
	rec := metrics.NewRecorder(runner.MetricsPhases(p), run.Meta.Started)
	for i, t := range run.Meta.PhaseStarts {
		rec.StartPhase(i, t)
	}
	waits := metrics.NewWaits(runner.WaitSpec(p), run.Meta.Started)
	var readErr error
	v := gcpolicy.Judge(func() conformance.Verdict {
		j := runner.NewJudge(p, false)
		for o, err := range run.Observations() {
			if err != nil {
				readErr = err
				break
			}
			rec.Record(o)
			waits.Record(o)
			j.Observe(o)
		}
		return j.Verdict()
	})
	if readErr != nil {
		b.Fatal(readErr)
	}
	rec.Snapshot(run.Meta.Finished)
	return v
}

// vegetaReport is `vegeta report -type=json` of file: the number of results
// it read.
func vegetaReport(b *testing.B, file string) int64 {
	f, err := os.Open(file)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	dec := vegeta.DecoderFor(bufio.NewReader(f))
	var m vegeta.Metrics
	for {
		var r vegeta.Result
		if err := dec.Decode(&r); err == io.EOF {
			break
		} else if err != nil {
			b.Fatal(err)
		}
		m.Add(&r)
	}
	m.Close()
	if err := vegeta.NewJSONReporter(&m).Report(io.Discard); err != nil {
		b.Fatal(err)
	}
	return int64(m.Requests)
}

var rejudgeRuns struct {
	sync.Mutex
	root string
}

// rejudgeRun returns the run directory of the benchmark's run name, whose
// target admits admits a second, and its vegeta export, writing them the
// first time.
func rejudgeRun(b *testing.B, name string, admits int) (dir, vegetaFile string) {
	rejudgeRuns.Lock()
	defer rejudgeRuns.Unlock()
	n := 1_000_000
	if s := os.Getenv("REJUDGE_N"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n < soakRate {
			b.Fatalf("REJUDGE_N=%q: want at least %d", s, soakRate)
		}
	}
	if rejudgeRuns.root == "" {
		rejudgeRuns.root = os.Getenv("REJUDGE_DIR")
	}
	if rejudgeRuns.root == "" {
		tmp, err := os.MkdirTemp("", "rejudge-*")
		if err != nil {
			b.Fatal(err)
		}
		rejudgeRuns.root = tmp // left for the system to clean: a benchmark has no end hook
	}
	dir = filepath.Join(rejudgeRuns.root, name)
	vegetaFile = dir + ".vegeta"
	if _, err := os.Stat(filepath.Join(dir, results.MetaFile)); errors.Is(err, os.ErrNotExist) {
		b.Logf("writing %d observations to %s and %s", n, dir, vegetaFile)
		if err := writeSoakRun(dir, n, admits); err != nil {
			b.Fatal(err)
		}
		if err := exportVegeta(dir, vegetaFile); err != nil {
			b.Fatal(err)
		}
	}
	return dir, vegetaFile
}

// writeSoakRun writes n observations of the soak traffic as a run directory
// at dir, from a target that admits admits a second (soakAnswer), with the
// jitter of a real run, flushed every half second of traffic as `ratecheck
// run` does.
func writeSoakRun(dir string, n, admits int) error {
	secs := (n + soakRate - 1) / soakRate
	meta := results.Meta{SchemaVersion: results.SchemaVersion, ScenarioFile: "soak.yaml", ScenarioName: "soak", Target: "http://127.0.0.1:8089", Started: start}
	w, err := results.Create(dir, meta, []byte(soakScenario(secs)))
	if err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := range n {
		if err := w.Append(soakAnswer(i, r, admits)); err != nil {
			return err
		}
		if i%(soakRate/2) == soakRate/2-1 {
			w.Flush()
		}
	}
	meta.Finished, meta.PhaseStarts = start.Add(time.Duration(n)*time.Second/soakRate), []time.Time{start}
	return w.Close(meta)
}

// exportVegeta writes the run at dir as vegeta's gob results to file, as
// `ratecheck export --format vegeta` does.
func exportVegeta(dir, file string) (err error) {
	run, err := results.Open(dir)
	if err != nil {
		return err
	}
	sc, err := scenarios.Parse(run.Meta.ScenarioFile, run.Scenario)
	if err != nil {
		return err
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, f.Close()) }()
	bw := bufio.NewWriter(f)
	e, err := attack.NewVegetaExporter(bw, "gob", plan.New(sc), run.Meta.Target)
	if err != nil {
		return err
	}
	for o, err := range run.Observations() {
		if err != nil {
			return err
		}
		if err := e.Write(o); err != nil {
			return err
		}
	}
	return bw.Flush()
}
