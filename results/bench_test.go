package results

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkAppend measures Writer.Append to a real file, system calls for the
// full buffers included. The goal is 20,000 observations per second with under
// a tenth of a core: at most 5 µs per call.
func BenchmarkAppend(b *testing.B) {
	w, err := Create(b.TempDir(), sampleMeta(), scenarioBytes)
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close(sampleMeta())
	obs := sampleObservations(64)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := w.Append(obs[i%len(obs)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkAppendEncodingJSON is the baseline appendObservation replaces:
// json.Marshal into the same buffered file.
func BenchmarkAppendEncodingJSON(b *testing.B) {
	f, err := os.Create(filepath.Join(b.TempDir(), LinesFile))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 64<<10)
	obs := sampleObservations(64)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		line, err := json.Marshal(obs[i%len(obs)])
		if err != nil {
			b.Fatal(err)
		}
		bw.Write(line)
		bw.WriteByte('\n')
		i++
	}
}

// BenchmarkObservations measures decoding observations.jsonl: one op decodes
// 1024 lines, and ns/obs is the cost of one.
func BenchmarkObservations(b *testing.B) {
	obs := sampleObservations(1024)
	var data []byte
	for _, o := range obs {
		data, _ = appendObservation(data, o)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	rd := bytes.NewReader(data)
	ops := 0
	for b.Loop() {
		rd.Reset(data)
		n := 0
		decodeLines("bench", rd, func(_ Observation, err error) bool {
			if err != nil {
				b.Fatal(err)
			}
			n++
			return true
		}, func(int) { b.Fatal("cut line") })
		if n != len(obs) {
			b.Fatalf("decoded %d observations; want %d", n, len(obs))
		}
		ops++
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(ops*len(obs)), "ns/obs")
}
