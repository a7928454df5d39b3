package results

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/x/exp/golden"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var t0 = time.Date(2026, 11, 22, 14, 20, 0, 0, time.UTC)

// marshalLine is what encoding/json writes for o with Sent in UTC, plus "\n":
// the reference appendObservation must match byte for byte.
func marshalLine(t testing.TB, o Observation) []byte {
	t.Helper()
	o.Sent = o.Sent.UTC()
	b, err := json.Marshal(o)
	if err != nil {
		t.Fatalf("json.Marshal(%+v): %v", o, err)
	}
	return append(b, '\n')
}

func manyHeaders(n int) map[string]string {
	h := make(map[string]string, n)
	for i := range n {
		h[fmt.Sprintf("X-H-%02d", n-i)] = fmt.Sprint(i)
	}
	return h
}

func TestAppendObservationMatchesEncodingJSON(t *testing.T) {
	tests := []struct {
		name string
		o    Observation
	}{
		{"zero", Observation{}},
		{"minimal", Observation{Seq: 1, Endpoint: "list", Sent: t0, Latency: 1500 * time.Microsecond, Status: 200}},
		{"all fields", Observation{
			Seq: 18446744073709551615, Phase: 3, Endpoint: "search", KeyID: "key-2",
			Sent: t0.Add(123456789), Latency: 42 * time.Millisecond, Status: 429,
			Headers: map[string]string{"X-Ratelimit-Remaining": "0", "Retry-After": "1", "X-Ratelimit-Limit": "20"},
			Body:    `{"error":"too many requests"}`,
		}},
		{"transport error", Observation{Seq: 7, Phase: -1, Sent: t0, Latency: -5, Error: `dial tcp 127.0.0.1:1: connect: connection refused`}},
		{"escapes", Observation{Endpoint: "a\"b\\c\n\r\t\b\f\x00\x1f\x7f", Body: "<script>&amp;</script>", Error: "sep\u2028par\u2029end"}},
		{"unicode", Observation{Body: "héllo wörld 日本語 🙂", KeyID: "ключ"}},
		{"invalid utf8", Observation{Body: "cut\xe6\x97", Endpoint: "\xff\xfe", Error: "a\xc0\xafb"}},
		{"local time", Observation{Sent: time.Date(2026, 1, 2, 3, 4, 5, 60, time.FixedZone("X", -7*3600))}},
		{"whole seconds", Observation{Sent: t0.Add(time.Second)}},
		{"empty headers map", Observation{Headers: map[string]string{}}},
		{"more headers than the stack array", Observation{Headers: manyHeaders(40)}},
		{"empty header value", Observation{Headers: map[string]string{"": "", "B": ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := appendObservation(nil, tt.o)
			if err != nil {
				t.Fatalf("appendObservation(%+v) error: %v", tt.o, err)
			}
			if want := marshalLine(t, tt.o); !bytes.Equal(got, want) {
				t.Errorf("appendObservation(%+v) =\n%s\nwant\n%s", tt.o, got, want)
			}
		})
	}
}

func TestAppendObservationAppends(t *testing.T) {
	prefix := []byte("previous line\n")
	o := Observation{Seq: 2, Sent: t0, Status: 200}
	got, err := appendObservation(bytes.Clone(prefix), o)
	if err != nil {
		t.Fatal(err)
	}
	want := append(bytes.Clone(prefix), marshalLine(t, o)...)
	if !bytes.Equal(got, want) {
		t.Errorf("appendObservation(prefix, %+v) = %q; want %q", o, got, want)
	}
}

func TestAppendObservationYearOutOfRange(t *testing.T) {
	for _, year := range []int{-1, 10000} {
		o := Observation{Seq: 9, Sent: time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)}
		dst := []byte("keep")
		got, err := appendObservation(dst, o)
		if err == nil {
			t.Errorf("appendObservation(year %d) error = nil; want an error", year)
		}
		if string(got) != "keep" {
			t.Errorf("appendObservation(year %d) = %q; want dst unchanged", year, got)
		}
		if _, jerr := json.Marshal(o); jerr == nil {
			t.Errorf("json.Marshal(year %d) succeeded; the encoders disagree", year)
		}
	}
}

// TestObservationLines shows the on-disk format of observations.jsonl.
func TestObservationLines(t *testing.T) {
	var b []byte
	for _, o := range sampleObservations(4) {
		var err error
		if b, err = appendObservation(b, o); err != nil {
			t.Fatal(err)
		}
	}
	golden.RequireEqual(t, b)
}

func FuzzAppendObservation(f *testing.F) {
	f.Add(uint64(1), 0, "list", "", int64(0), int64(1500000), 200, "Retry-After", "1", "", "", "", "")
	f.Add(uint64(2), 2, "a\"<&>\u2028", "key-1", int64(1795443600123456789), int64(-1), 429,
		"X-RateLimit-Limit", "20", "X-RateLimit-Remaining", "0", `{"error":"slow down"}`, "")
	f.Add(uint64(3), -1, "\xff", "\x00", int64(-1), int64(0), 0, "", "", "", "", "cut\xe6\x97", "eof")
	f.Fuzz(func(t *testing.T, seq uint64, phase int, endpoint, key string, sent, latency int64, status int,
		hk1, hv1, hk2, hv2, body, errText string) {
		o := Observation{
			Seq: seq, Phase: phase, Endpoint: endpoint, KeyID: key,
			Sent: time.Unix(0, sent).UTC(), Latency: time.Duration(latency), Status: status,
			Headers: map[string]string{hk1: hv1, hk2: hv2}, Body: body, Error: errText,
		}
		got, err := appendObservation(nil, o)
		if err != nil {
			t.Fatalf("appendObservation(%+v): %v", o, err)
		}
		if want := marshalLine(t, o); !bytes.Equal(got, want) {
			t.Fatalf("appendObservation(%+v) =\n%s\nwant\n%s", o, got, want)
		}
		var back Observation
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("json.Unmarshal(%s): %v", got, err)
		}
		if !validUTF8(o) {
			return // encoding/json replaces invalid UTF-8 too; the bytes check covered it
		}
		var fast Observation
		if !newDecoder().fast(got[:len(got)-1], &fast) {
			t.Fatalf("decoder.fast(%s) = false; want the fast path to take the encoder's output", got)
		}
		if diff := cmp.Diff(back, fast); diff != "" {
			t.Errorf("fast decode of %s (-encoding/json +fast):\n%s", got, diff)
		}
		if diff := cmp.Diff(o, back, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("round trip of %s (-sent +decoded):\n%s", got, diff)
		}
	})
}

func validUTF8(o Observation) bool {
	s := []string{o.Endpoint, o.KeyID, o.Body, o.Error}
	for k, v := range o.Headers {
		s = append(s, k, v)
	}
	for _, x := range s {
		if !utf8.ValidString(x) {
			return false
		}
	}
	return true
}

// sampleObservations is n observations with every field in use, in the shape
// an attack produces.
func sampleObservations(n int) []Observation {
	obs := make([]Observation, n)
	for i := range obs {
		o := Observation{
			Seq: uint64(i + 1), Phase: i % 3, Endpoint: "list", KeyID: "key-" + fmt.Sprint(i%2),
			Sent:    t0.Add(time.Duration(i) * 50 * time.Millisecond),
			Latency: time.Duration(800+i) * time.Microsecond, Status: 200,
			Headers: map[string]string{"X-Ratelimit-Limit": "20", "X-Ratelimit-Remaining": fmt.Sprint(19 - i%20)},
		}
		switch i % 4 {
		case 2:
			o.Status = 429
			o.Headers["Retry-After"] = "1"
			o.Body = `{"error":"rate limited", "detail":"<20 req/s & retry>"}`
		case 3:
			o.Status, o.Headers, o.Error = 0, nil, "read tcp: connection reset by peer"
		}
		obs[i] = o
	}
	return obs
}

func TestSampleObservationsUseEveryField(t *testing.T) {
	// Guards the round-trip tests: a field left zero would not be tested.
	var line strings.Builder
	for _, o := range sampleObservations(4) {
		b, _ := json.Marshal(o)
		line.Write(b)
	}
	for _, key := range []string{"seq", "phase", "endpoint", "key", "sent", "latency", "status", "headers", "body", "error"} {
		if !strings.Contains(line.String(), `"`+key+`":`) {
			t.Errorf("sampleObservations(4) never sets %q", key)
		}
	}
}
