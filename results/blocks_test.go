package results

import (
	"bytes"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// randomObservation draws an observation with every field exercised: seqs
// and times out of order, negative phases and latencies, zero times, header
// values that are and are not canonical integers, strings past the table's
// bound and bytes that are not UTF-8.
func randomObservation(r *rand.Rand) Observation {
	pick := func(ss ...string) string { return ss[r.IntN(len(ss))] }
	o := Observation{
		Seq:      r.Uint64N(1 << uint(r.IntN(64))),
		Phase:    r.IntN(20) - 2,
		Endpoint: pick("items", "list", "", "ünïcode", strings.Repeat("e", 100)),
		Latency:  time.Duration(r.Int64N(1<<40) - 1<<20),
		Status:   pick2(r, 200, 429, 0, 503, -1, 1<<20),
	}
	if r.IntN(4) > 0 {
		o.KeyID = pick("key-0", "key-1", "spare")
	}
	if r.IntN(20) > 0 {
		o.Sent = t0.Add(time.Duration(r.Int64N(int64(100*365*24*time.Hour))) - 50*365*24*time.Hour)
	}
	if r.IntN(3) > 0 {
		o.Headers = map[string]string{}
		for range r.IntN(20) {
			v := pick(strconv.Itoa(r.IntN(10000)), "007", "-3", "", "1.5", "Wed, 21 Oct 2026 07:28:00 GMT", strconv.FormatUint(r.Uint64(), 10), "999999999999999999")
			o.Headers[pick("X-Ratelimit-Limit", "X-Ratelimit-Remaining", "Retry-After", "Ratelimit", "h"+strconv.Itoa(r.IntN(30)))] = v
		}
	}
	if r.IntN(3) == 0 {
		b := make([]byte, r.IntN(300))
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		o.Body = string(b)
	}
	if r.IntN(10) == 0 {
		o.Error = pick("dial tcp 127.0.0.1:1: connect: connection refused", "timeout")
	}
	return o
}

func pick2(r *rand.Rand, v ...int) int { return v[r.IntN(len(v))] }

// TestBlocksRoundTripRandom writes random observations, flushing at random
// points and filling blocks past their size, and reads back exactly what was
// written, in order.
func TestBlocksRoundTripRandom(t *testing.T) {
	defer func(n int) { blockRawTarget = n }(blockRawTarget)
	blockRawTarget = 16 << 10 // many blocks
	for seed := range uint64(8) {
		r := rand.New(rand.NewPCG(seed, 15))
		want := make([]Observation, r.IntN(3000))
		for i := range want {
			want[i] = randomObservation(r)
		}
		dir := filepath.Join(t.TempDir(), "run")
		w, err := Create(dir, sampleMeta(), scenarioBytes)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range want {
			if err := w.Append(o); err != nil {
				t.Fatalf("seed %d: Append(%+v): %v", seed, o, err)
			}
			if r.IntN(500) == 0 {
				if err := w.Flush(); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := w.Close(sampleMeta()); err != nil {
			t.Fatal(err)
		}
		if w.Saved() != int64(len(want)) {
			t.Errorf("seed %d: Saved() = %d; want %d", seed, w.Saved(), len(want))
		}
		run, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		got := readAll(t, run)
		if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("seed %d: %d observations read back differ (-want +got):\n%s", seed, len(want), diff)
		}
		if run.Cut() != "" {
			t.Errorf("seed %d: Cut() = %q on a whole file", seed, run.Cut())
		}
	}
}

// TestBlocksShareRepeatedHeaders reads back runs whose headers often repeat
// from one observation to the next (a server's 429s): every observation
// reads back equal to what was written, and one whose headers equal the
// previous observation's (with headers) shares its map.
func TestBlocksShareRepeatedHeaders(t *testing.T) {
	defer func(n int) { blockRawTarget = n }(blockRawTarget)
	blockRawTarget = 4 << 10 // sharing across blocks too
	sets := []map[string]string{
		{"X-Ratelimit-Limit": "8000", "X-Ratelimit-Remaining": "0"},
		{"X-Ratelimit-Limit": "8000", "X-Ratelimit-Remaining": "1"},
		{"X-Ratelimit-Limit": "8000"},
		{"X-Ratelimit-Limit": "8000", "X-Ratelimit-Remaining": "0", "Retry-After": "1"},
		{"Retry-After": "1", "X-Ratelimit-Remaining": "0"},
		{"X-Ratelimit-Limit": "007", "X-Ratelimit-Remaining": "0"},
		nil,
	}
	for seed := range uint64(4) {
		r := rand.New(rand.NewPCG(seed, 16))
		want := make([]Observation, 5000)
		for i := range want {
			want[i] = Observation{Seq: uint64(i), Endpoint: "hit", Sent: t0.Add(time.Duration(i) * time.Millisecond), Status: 429}
			if h := sets[r.IntN(len(sets))]; h != nil {
				want[i].Headers = maps.Clone(h)
			}
			if r.IntN(3) > 0 && i > 0 { // a run of the same headers
				want[i].Headers = maps.Clone(want[i-1].Headers)
			}
		}
		dir, _ := writeRun(t, want)
		run, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		got := readAll(t, run)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("seed %d: observations read back differ (-want +got):\n%s", seed, diff)
		}
		shared := 0
		var prev map[string]string
		for i, o := range got {
			if o.Headers == nil {
				continue
			}
			same := prev != nil && maps.Equal(prev, o.Headers)
			if isShared := prev != nil && reflect.ValueOf(prev).UnsafePointer() == reflect.ValueOf(o.Headers).UnsafePointer(); isShared != same {
				t.Fatalf("seed %d: observation %d shares the previous headers map: %v; its headers are the same: %v", seed, i, isShared, same)
			}
			if same {
				shared++
			}
			prev = o.Headers
		}
		if shared == 0 {
			t.Errorf("seed %d: no observation shared a headers map", seed)
		}
	}
}

// TestBlocksShareHeadersThatComeBack reads back runs whose headers come
// back window after window (Remaining counted down, a Reset in seconds)
// and runs whose headers never do (a Reset at a time of its own, a header
// of random text): every observation reads back equal to what was written,
// headers that come back share the map made the first time, two maps
// shared are equal, and a run whose headers never come back keeps no more
// than maxHeaderMaps of them, and then stops looking them up.
func TestBlocksShareHeadersThatComeBack(t *testing.T) {
	defer func(n int) { blockRawTarget = n }(blockRawTarget)
	blockRawTarget = 64 << 10
	for _, tt := range []struct {
		name  string
		n     int
		come  bool // the headers come back
		reset func(i int) string
	}{
		{"reset in seconds", 30_000, true, func(i int) string { return strconv.Itoa(1 + i%1000/100) }},
		{"no reset", 30_000, true, nil},
		{"reset at a time", 2*maxHeaderMaps + 5000, false, func(i int) string { return strconv.Itoa(1_800_000_000 + i/1000) }},
		{"random text", 2*maxHeaderMaps + 5000, false, func(i int) string { return fmt.Sprintf("x%d-%d", i, i*7919%1000) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			want := make([]Observation, tt.n)
			for i := range want {
				h := map[string]string{"X-Ratelimit-Limit": "1000", "X-Ratelimit-Remaining": strconv.Itoa(max(0, 999-i%1500))}
				if tt.reset != nil {
					h["X-Ratelimit-Reset"] = tt.reset(i)
				}
				want[i] = Observation{Seq: uint64(i), Endpoint: "hit", Sent: t0.Add(time.Duration(i) * time.Millisecond), Status: 200, Headers: h}
			}
			dir, _ := writeRun(t, want)
			f, err := os.Open(filepath.Join(dir, ObservationsFile))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			br := newBlockReader(f)
			defer br.close()
			if err := br.readMagic(); err != nil {
				t.Fatal(err)
			}
			byMap := map[uintptr][2]map[string]string{} // the map read (kept, so that its address is not another's) and the headers written
			shared := 0
			for i := range want {
				o, err := br.next()
				if err != nil {
					t.Fatalf("observation %d: %v", i, err)
				}
				if !maps.Equal(o.Headers, want[i].Headers) {
					t.Fatalf("observation %d: headers %v; want %v", i, o.Headers, want[i].Headers)
				}
				p := reflect.ValueOf(o.Headers).Pointer()
				if first, ok := byMap[p]; ok {
					if !maps.Equal(first[1], want[i].Headers) {
						t.Fatalf("observation %d shares the map of other headers, %v", i, first[1])
					}
					if i > 0 && !maps.Equal(want[i-1].Headers, want[i].Headers) {
						shared++ // not merely the last record's
					}
				}
				byMap[p] = [2]map[string]string{o.Headers, want[i].Headers}
				if len(br.rec.maps.byKey) > maxHeaderMaps {
					t.Fatalf("observation %d: %d maps kept; want at most %d", i, len(br.rec.maps.byKey), maxHeaderMaps)
				}
			}
			if tt.come && shared < tt.n/2 {
				t.Errorf("%d observations shared a map made for headers that came back; want most of %d", shared, tt.n)
			}
			if !tt.come && (shared > 0 || br.rec.maps.off == 0) {
				t.Errorf("%d observations shared a map, lookups off for %d records; want none shared and lookups off", shared, br.rec.maps.off)
			}
		})
	}
}

// bigObservations is a run of n requests at 16,000/s against a target that
// counts Remaining down, as a load test writes them.
func bigObservations(n int) []Observation {
	obs := make([]Observation, n)
	for i := range obs {
		status, remaining := 200, 8000-i%8000
		if i%16000 >= 8000 {
			status, remaining = 429, 0
		}
		obs[i] = Observation{
			Seq: uint64(i), Endpoint: "hit",
			Sent:    t0.Add(time.Duration(i)*62500*time.Nanosecond + time.Duration(i*7919%40000)),
			Latency: time.Duration(150000 + i*104729%300000),
			Status:  status,
			Headers: map[string]string{"X-Ratelimit-Limit": "8000", "X-Ratelimit-Remaining": strconv.Itoa(remaining)},
			Body:    "ok",
		}
	}
	return obs
}

// TestBlocksBytesPerObservation holds the size goal: at most 16 bytes per
// request for a typical run (times to the nanosecond, two counting headers,
// a short body), flushed every quarter second at 16,000/s.
func TestBlocksBytesPerObservation(t *testing.T) {
	obs := bigObservations(64000)
	dir := filepath.Join(t.TempDir(), "run")
	w, err := Create(dir, sampleMeta(), scenarioBytes)
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range obs {
		w.Append(o)
		if i%4000 == 3999 {
			w.Flush()
		}
	}
	w.Close(sampleMeta())
	fi, err := os.Stat(filepath.Join(dir, ObservationsFile))
	if err != nil {
		t.Fatal(err)
	}
	per := float64(fi.Size()) / float64(len(obs))
	t.Logf("%d observations in %d bytes: %.2f bytes each", len(obs), fi.Size(), per)
	if per > 16 {
		t.Errorf("%.2f bytes per observation; want at most 16", per)
	}
}

// TestBlocksSkipCutLastBlock cuts the file at every byte of its last block,
// as a process dying mid-write leaves it: the earlier blocks read whole, the
// cut block is skipped and named, and nothing is an error.
func TestBlocksSkipCutLastBlock(t *testing.T) {
	obs := bigObservations(300)
	dir := filepath.Join(t.TempDir(), "run")
	w, err := Create(dir, sampleMeta(), scenarioBytes)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range obs[:200] {
		w.Append(o)
	}
	w.Flush()
	path := filepath.Join(dir, ObservationsFile)
	fi, _ := os.Stat(path)
	lastStart := fi.Size()
	for _, o := range obs[200:] {
		w.Append(o)
	}
	w.Close(sampleMeta())
	whole, _ := os.ReadFile(path)
	run, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for cut := lastStart; cut < int64(len(whole)); cut++ {
		os.WriteFile(path, whole[:cut], 0o644)
		got, err := collect(run)
		if err != nil {
			t.Fatalf("cut at %d of %d: %v", cut, len(whole), err)
		}
		if len(got) != 200 || !got[199].Sent.Equal(obs[199].Sent) {
			t.Fatalf("cut at %d of %d: read %d observations; want the first block's 200", cut, len(whole), len(got))
		}
		wantCut := ""
		if cut > lastStart {
			wantCut = path + ": the last block (from byte " + strconv.FormatInt(lastStart, 10) + ") was cut short (the process died mid-write) and is skipped"
		}
		if run.Cut() != wantCut {
			t.Fatalf("cut at %d: Cut() = %q; want %q", cut, run.Cut(), wantCut)
		}
	}
	// A torn last write: the right length, the wrong bytes.
	torn := bytes.Clone(whole)
	torn[len(torn)-3] ^= 0xff
	os.WriteFile(path, torn, 0o644)
	if got, err := collect(run); err != nil || len(got) != 200 || run.Cut() == "" {
		t.Errorf("torn last block: %d observations, error %v, Cut %q; want 200, nil and the cut named", len(got), err, run.Cut())
	}
	// The same damage in a block that is not the last is corruption.
	bad := bytes.Clone(whole)
	bad[lastStart-3] ^= 0xff
	os.WriteFile(path, bad, 0o644)
	if _, err := collect(run); err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "block 1 (byte 8)") {
		t.Errorf("corrupt first block: error %v; want one naming %s and block 1 (byte 8)", err, path)
	}
}

// TestOldRunDirectoryStillReads: a run written before observations.bin
// (observations.jsonl only) reads as it did, and a directory holding one is
// refused as a new run's.
func TestOldRunDirectoryStillReads(t *testing.T) {
	want := sampleObservations(50)
	r := runWithObservations(t, encodeAll(t, want))
	if got := r.ObservationsPath(); filepath.Base(got) != LinesFile {
		t.Fatalf("ObservationsPath() = %s; want %s", got, LinesFile)
	}
	if diff := cmp.Diff(want, readAll(t, r), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("observations.jsonl (-want +got):\n%s", diff)
	}
	if _, err := Create(r.Dir, sampleMeta(), scenarioBytes); err == nil || !strings.Contains(err.Error(), LinesFile) {
		t.Errorf("Create over an old run = %v; want ErrRunExists naming %s", err, LinesFile)
	}
}

// BenchmarkBlocksRead measures reading observations.bin: one op reads
// 64,000 observations, and obs/s is the reading rate.
func BenchmarkBlocksRead(b *testing.B) {
	obs := bigObservations(64000)
	dir := filepath.Join(b.TempDir(), "run")
	w, _ := Create(dir, sampleMeta(), scenarioBytes)
	for i, o := range obs {
		w.Append(o)
		if i%4000 == 3999 {
			w.Flush()
		}
	}
	w.Close(sampleMeta())
	run, _ := Open(dir)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		for _, err := range run.Observations() {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "obs/s")
}

func TestCount(t *testing.T) {
	defer func(n int) { blockRawTarget = n }(blockRawTarget)
	blockRawTarget = 4 << 10 // many blocks
	obs := bigObservations(5000)
	dir, _ := writeRun(t, obs)
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := r.Count(); n != 5000 || err != nil {
		t.Errorf("Count() = %d, %v; want 5000", n, err)
	}
	old := runWithObservations(t, encodeAll(t, obs[:3]))
	if n, err := old.Count(); n != -1 || err != nil {
		t.Errorf("Count() of observations.jsonl = %d, %v; want -1 (not counted)", n, err)
	}
}

// TestRecordEncoding shows the raw (uncompressed) records observations.bin's
// blocks hold, one record a line in hex: a change to the encoding shows
// here, and must keep reading the files written before it.
func TestRecordEncoding(t *testing.T) {
	e := newRecordEncoder()
	var out bytes.Buffer
	for _, o := range sampleObservations(4) {
		at := len(e.buf)
		if err := e.append(o); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&out, "%x\n", e.buf[at:])
	}
	golden.RequireEqual(t, out.Bytes())
}

// TestFrozenBlocksFile reads an observations.bin written when the format
// was made (testdata/frozen-v2/, sampleObservations(4) in two blocks): every
// later reader must still read it. RATECHECK_FREEZE=1 rewrites it, which only
// a new format version should ever need.
func TestFrozenBlocksFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	writeFrozen := func() {
		w, err := Create(dir, sampleMeta(), scenarioBytes)
		if err != nil {
			t.Fatal(err)
		}
		for i, o := range sampleObservations(4) {
			w.Append(o)
			if i == 1 {
				w.Flush()
			}
		}
		w.Close(sampleMeta())
	}
	frozen := filepath.Join("testdata", "frozen-v2", ObservationsFile)
	if os.Getenv("RATECHECK_FREEZE") != "" {
		writeFrozen()
		b, _ := os.ReadFile(filepath.Join(dir, ObservationsFile))
		os.MkdirAll(filepath.Dir(frozen), 0o755)
		os.WriteFile(frozen, b, 0o644)
	}
	b, err := os.ReadFile(frozen)
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, ObservationsFile), b, 0o644)
	got, err := collect(&Run{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(sampleObservations(4), got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("%s read back (-want +got):\n%s", frozen, diff)
	}
}
