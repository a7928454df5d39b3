package results

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var scenarioBytes = []byte("# copilot\nname: copilot\nlimits:\n  - name: per-second\n    requests: 20\n    window: 1s\n")

func sampleMeta() Meta {
	return Meta{
		RunID: "20261122T142000Z-copilot", Tool: "ratecheck test",
		ScenarioFile: "scenarios/copilot.yaml", ScenarioName: "copilot",
		Target: "http://127.0.0.1:8080", BuiltinTarget: true, Fault: "off-by-one",
		Started: t0, Notes: []string{"demo key generated"}, Args: []string{"run", "scenarios/copilot.yaml"},
	}
}

// writeRun creates a run in a fresh directory, appends obs and closes it with
// the finished meta.
func writeRun(t *testing.T, obs []Observation) (string, Meta) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "run")
	m := sampleMeta()
	w, err := Create(dir, m, scenarioBytes)
	if err != nil {
		t.Fatalf("Create(%s): %v", dir, err)
	}
	for _, o := range obs {
		if err := w.Append(o); err != nil {
			t.Fatalf("Append(%d): %v", o.Seq, err)
		}
	}
	m.Finished, m.Interrupted = t0.Add(time.Minute), true
	m.PhaseStarts = []time.Time{t0.Add(time.Millisecond), {}, t0.Add(30*time.Second + 2*time.Millisecond)}
	if err := w.Close(m); err != nil {
		t.Fatalf("Close: %v", err)
	}
	m.SchemaVersion = SchemaVersion
	return dir, m
}

// readAll collects a run's observations, failing the test on an error.
func readAll(t *testing.T, r *Run) []Observation {
	t.Helper()
	got, err := collect(r)
	if err != nil {
		t.Fatalf("Observations: %v", err)
	}
	return got
}

// collect gathers observations up to the first error.
func collect(r *Run) ([]Observation, error) {
	var got []Observation
	for o, err := range r.Observations() {
		if err != nil {
			return got, err
		}
		got = append(got, o)
	}
	return got, nil
}

func TestRoundTrip(t *testing.T) {
	for _, n := range []int{0, 1, 5000} { // 5000 lines pass the 64 KiB buffer several times
		want := sampleObservations(n)
		dir, wantMeta := writeRun(t, want)
		r, err := Open(dir)
		if err != nil {
			t.Fatalf("Open(%s): %v", dir, err)
		}
		if diff := cmp.Diff(wantMeta, r.Meta); diff != "" {
			t.Errorf("n=%d: Open(dir).Meta differs (-want +got):\n%s", n, diff)
		}
		if string(r.Scenario) != string(scenarioBytes) {
			t.Errorf("n=%d: Open(dir).Scenario = %q; want %q", n, r.Scenario, scenarioBytes)
		}
		if r.Dir != dir {
			t.Errorf("n=%d: Open(dir).Dir = %q; want %q", n, r.Dir, dir)
		}
		got := readAll(t, r)
		if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("n=%d: observations differ (-want +got):\n%s", n, diff)
		}
	}
}

func TestCreateWritesScenarioBytesExactly(t *testing.T) {
	raw := []byte("name: x\r\n\tweird: \xff\x00 bytes\n# no trailing newline")
	dir := t.TempDir()
	w, err := Create(dir, sampleMeta(), raw)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close(sampleMeta())
	got, err := os.ReadFile(filepath.Join(dir, ScenarioFile))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(raw) {
		t.Errorf("scenario.yaml = %q; want %q", got, raw)
	}
}

func TestCreateRefusesExistingRun(t *testing.T) {
	dir, _ := writeRun(t, sampleObservations(3))
	before, _ := os.ReadFile(filepath.Join(dir, MetaFile))
	other := sampleMeta()
	other.ScenarioName = "other"

	w, err := Create(dir, other, []byte("other"))
	if !errors.Is(err, ErrRunExists) {
		t.Fatalf("Create(existing run) error = %v; want ErrRunExists", err)
	}
	if w != nil {
		t.Errorf("Create(existing run) returned a Writer")
	}
	if !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), ObservationsFile) {
		t.Errorf("Create(existing run) error = %q; want it to name %s and %s", err, dir, ObservationsFile)
	}
	after, _ := os.ReadFile(filepath.Join(dir, MetaFile))
	if string(after) != string(before) {
		t.Errorf("Create(existing run) changed meta.json")
	}
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(readAll(t, r)); got != 3 {
		t.Errorf("after refused Create, %d observations; want the original 3", got)
	}
}

func TestCreateMakesParents(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "runs", "deep", "20261122T142000Z-copilot")
	w, err := Create(dir, sampleMeta(), scenarioBytes)
	if err != nil {
		t.Fatalf("Create(%s): %v", dir, err)
	}
	if got := w.dir; got != dir {
		t.Errorf("run directory = %q; want %q", got, dir)
	}
	if err := w.Close(sampleMeta()); err != nil {
		t.Fatal(err)
	}
}

func TestCreateFailsOnFileInTheWay(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Create(filepath.Join(file, "run"), sampleMeta(), scenarioBytes); err == nil {
		t.Errorf("Create(under a regular file) error = nil; want an error")
	}
}

func TestCloseRewritesMeta(t *testing.T) {
	dir := t.TempDir()
	m := sampleMeta()
	w, err := Create(dir, m, scenarioBytes)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Open(dir)
	if err != nil {
		t.Fatalf("Open during the run: %v", err)
	}
	if !r.Meta.Finished.IsZero() || r.Meta.Interrupted {
		t.Errorf("meta during the run: Finished=%v Interrupted=%v; want zero, false", r.Meta.Finished, r.Meta.Interrupted)
	}
	raw, _ := os.ReadFile(filepath.Join(dir, MetaFile))
	if strings.Contains(string(raw), "finished") {
		t.Errorf("meta.json during the run has a finished key:\n%s", raw)
	}

	m.Finished, m.Interrupted = t0.Add(90*time.Second), true
	m.Notes = append(m.Notes, "stopped by Ctrl-C")
	if err := w.Close(m); err != nil {
		t.Fatal(err)
	}
	r, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	m.SchemaVersion = SchemaVersion
	if diff := cmp.Diff(m, r.Meta); diff != "" {
		t.Errorf("meta after Close differs (-want +got):\n%s", diff)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{MetaFile, ObservationsFile, ScenarioFile}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("run directory files differ (-want +got), temp file left?\n%s", diff)
	}
}

func TestFlushMakesObservationsReadable(t *testing.T) {
	dir := t.TempDir()
	w, err := Create(dir, sampleMeta(), scenarioBytes)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close(sampleMeta())
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := sampleObservations(3)
	for _, o := range want {
		if err := w.Append(o); err != nil {
			t.Fatal(err)
		}
	}
	if got := readAll(t, r); len(got) != 0 {
		t.Errorf("before Flush, read %d observations; want 0 (buffered)", len(got))
	}
	if err := w.Flush(); err != nil {
		t.Fatalf("Flush: %v", err)
	}
	if diff := cmp.Diff(want, readAll(t, r), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("after Flush (-want +got):\n%s", diff)
	}
}

func TestWriterAfterClose(t *testing.T) {
	w, err := Create(t.TempDir(), sampleMeta(), scenarioBytes)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(sampleMeta()); err != nil {
		t.Fatal(err)
	}
	errs := map[string]error{
		"Append": w.Append(Observation{Seq: 1}),
		"Flush":  w.Flush(),
		"Close":  w.Close(sampleMeta()),
	}
	for name, err := range errs {
		if !errors.Is(err, ErrClosed) {
			t.Errorf("%s after Close = %v; want ErrClosed", name, err)
		}
	}
}

func TestAppendRejectsUnencodableObservation(t *testing.T) {
	dir := t.TempDir()
	w, err := Create(dir, sampleMeta(), scenarioBytes)
	if err != nil {
		t.Fatal(err)
	}
	bad := Observation{Seq: 41, Sent: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}
	err = w.Append(bad)
	if err == nil || !strings.Contains(err.Error(), "observation 41") {
		t.Errorf("Append(year 10000) = %v; want an error naming observation 41", err)
	}
	good := sampleObservations(1)
	if err := w.Append(good[0]); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(sampleMeta()); err != nil {
		t.Fatal(err)
	}
	r, _ := Open(dir)
	if diff := cmp.Diff(good, readAll(t, r), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("the rejected observation left bytes behind (-want +got):\n%s", diff)
	}
}

func TestAppendAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector changes allocation counts")
	}
	w, err := Create(t.TempDir(), sampleMeta(), scenarioBytes)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close(sampleMeta())
	obs := sampleObservations(4)
	i := 0
	allocs := testing.AllocsPerRun(2000, func() {
		w.Append(obs[i%len(obs)])
		i++
	})
	if allocs != 0 {
		t.Errorf("Append allocates %v times per call; want 0", allocs)
	}
}
