package main

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/results"
)

// fileSizeEnv, for a ratecheck process started by ratecheckCmd, caps the
// size of every file it writes (RLIMIT_FSIZE), as a full disk would.
const fileSizeEnv = "RATECHECK_TEST_FSIZE"

// TestFullDiskMidRunNamesWhatWasSaved fills the observations file's room
// mid-run: the run still judges everything it sent, writes its reports,
// and says which observations the file holds.
func TestFullDiskMidRunNamesWhatWasSaved(t *testing.T) {
	t.Parallel()
	// Bodies of random bytes, written in hex, compress to about half: an
	// observation takes 70–90 bytes on disk. A block (half a second at
	// 1,000/s, under 45 kB) fits in the 60 kB the file may hold, and 700
	// observations do not: a starved machine that sends an eighth of the
	// 6,000 planned still outgrows it (at load average 4 one sent 1,162 of
	// 4,000 in 4 s, which 100 kB held).
	var received atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		received.Add(1)
		body := make([]byte, 60)
		rand.Read(body)
		fmt.Fprintf(w, "%x", body)
	}))
	t.Cleanup(srv.Close)
	scen := floodScenario(t, 1000, 6*time.Second)
	dir := filepath.Join(t.TempDir(), "run")
	cmd := ratecheckCmd(t, "run", scen, "--target", srv.URL, "--no-tui", "--out", dir)
	cmd.Env = append(cmd.Env, fileSizeEnv+"=60000")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	t.Logf("stderr:\n%s", stderr.String())
	onDisk := countObservations(t, dir)
	sent := received.Load()
	want := fmt.Sprintf("observations were not all saved: %s holds the first %d of the %d requests sent, which 'ratecheck report %s' judges",
		filepath.Join(dir, results.ObservationsFile), onDisk, sent, dir)
	if err == nil || !strings.Contains(stderr.String(), want) {
		t.Errorf("exit %v\nstderr:\n%s\nwant a failure saying %q", err, stderr.String(), want)
	}
	if int64(onDisk) >= sent {
		t.Errorf("%d observations on disk of %d sent; want the file cut short by the limit", onDisk, sent)
	}
	if onDisk == 0 {
		// The fan-out loop flushes a block once it is half a second old;
		// beside the other packages' tests it may flush late, and a first
		// block past 60 kB leaves nothing saved, which the message above
		// states (1 default run of 8 on 2026-12-07).
		t.Logf("the first block alone outgrew the limit: none of the %d observations saved, as stderr says", sent)
	}
	if !strings.Contains(stdout.String(), fmt.Sprintf("%d requests", sent)) || !strings.Contains(stdout.String(), "reports: "+filepath.Join(dir, results.ReportFile)) {
		t.Errorf("the verdict does not judge all %d requests, or report.json is not named as written:\n%s", sent, tail(stdout.String()))
	}
}

// TestNoRoomIsReportedBeforeSending: a plan whose observations cannot fit
// in the run directory's free space is refused before the first request.
func TestNoRoomIsReportedBeforeSending(t *testing.T) {
	srv, received := countingTarget(t)
	free, err := results.FreeSpace(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	// A phase whose smallest observations exceed the free space.
	rate := 1000000
	d := time.Duration(free/results.MinRecordBytes/int64(rate)+10) * time.Second
	scen := floodScenario(t, rate, d)
	code, _, stderr := railsRun(t, &Env{}, "run", scen, "--target", srv.URL, "--no-tui", "--out", filepath.Join(t.TempDir(), "r"))
	if code != exitUsage || !strings.Contains(stderr, "the run directory cannot hold this run, so nothing was sent") || !strings.Contains(stderr, "not enough free space") {
		t.Errorf("exit %d, stderr %q; want 2 and the free space named", code, stderr)
	}
	if n := received.Load(); n != 0 {
		t.Errorf("the target received %d requests; want none", n)
	}
}
