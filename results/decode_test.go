package results

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// checkLikeEncodingJSON fails the test unless decoder.decode agrees with
// json.Unmarshal on line: both fail, or both give the same Observation.
func checkLikeEncodingJSON(t *testing.T, line []byte) {
	t.Helper()
	var want Observation
	wantErr := json.Unmarshal(line, &want)
	got, err := newDecoder().decode(line)
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("decode(%q) error = %v; encoding/json says %v", line, err, wantErr)
	}
	if err != nil {
		return
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("decode(%q) differs from encoding/json (-json +decode):\n%s", line, diff)
	}
}

func TestDecodeFastPathTakesEncoderOutput(t *testing.T) {
	d := newDecoder()
	for _, o := range sampleObservations(8) {
		line, err := appendObservation(nil, o)
		if err != nil {
			t.Fatal(err)
		}
		var got Observation
		if !d.fast(line[:len(line)-1], &got) {
			t.Errorf("fast(%s) = false; want the fast path to take the encoder's output", line)
			continue
		}
		checkLikeEncodingJSON(t, line[:len(line)-1])
	}
}

func TestDecodeAgreesWithEncodingJSON(t *testing.T) {
	tests := []struct {
		name     string
		line     string
		wantFast bool // whether the fast path takes the line
	}{
		{"empty object", `{}`, true},
		{"escapes", `{"seq":1,"body":"\"\\\/\b\f\n\r\t\u003c\u00e9\u2028","endpoint":"\u0041"}`, true},
		{"keys in another order", `{"status":429,"seq":3,"phase":-2,"latency":-9223372036854775808}`, true},
		{"empty headers", `{"headers":{}}`, true},
		{"max seq", `{"seq":18446744073709551615}`, true},
		{"seq overflow", `{"seq":18446744073709551616}`, false},
		{"negative seq", `{"seq":-1}`, false},
		{"latency overflow", `{"latency":9223372036854775808}`, false},
		{"leading zero", `{"seq":01}`, false},
		{"minus zero", `{"phase":-0}`, true},
		{"fraction", `{"status":200.0}`, false},
		{"exponent", `{"status":2e2}`, false},
		{"spaces", `{ "seq": 1 }`, false},
		{"trailing CR", "{\"seq\":1}\r", false},
		{"unknown key", `{"seq":1,"extra":[1,2]}`, false},
		{"key in other case", `{"SEQ":5,"Status":200}`, false},
		{"escaped key", `{"s\u0065q":5}`, false},
		{"repeated key", `{"seq":1,"seq":2}`, false},
		{"repeated headers", `{"headers":{"A":"1"},"headers":{"B":"2"}}`, false},
		{"repeated header name", `{"headers":{"A":"1","A":"2"}}`, false},
		{"null values", `{"headers":null,"body":null,"seq":null}`, false},
		{"surrogate pair", `{"body":"\ud83d\ude00"}`, false},
		{"lone surrogate", `{"body":"\ud83d"}`, false},
		{"invalid utf8", "{\"body\":\"a\xffb\"}", false},
		{"non-ascii endpoint", `{"endpoint":"ключ"}`, true},
		{"sent with offset", `{"sent":"2026-11-22T15:20:00.5+01:00"}`, true},
		{"sent not a time", `{"sent":"yesterday"}`, false},
		{"sent escaped", `{"sent":"2026-11-22T14:20:00\u005a"}`, false},
		{"control byte in string", "{\"body\":\"a\tb\"}", false},
		{"bad escape", `{"body":"\x"}`, false},
		{"short unicode escape", `{"body":"\u12"}`, false},
		{"unterminated", `{"seq":1`, false},
		{"trailing garbage", `{"seq":1}x`, false},
		{"not an object", `[1]`, false},
		{"null line", `null`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var o Observation
			if got := newDecoder().fast([]byte(tt.line), &o); got != tt.wantFast {
				t.Errorf("fast(%q) = %v; want %v", tt.line, got, tt.wantFast)
			}
			checkLikeEncodingJSON(t, []byte(tt.line))
		})
	}
}

func TestDecodeSharesRepeatedStrings(t *testing.T) {
	d := newDecoder()
	a, _ := d.decode([]byte(`{"endpoint":"list","headers":{"X-Ratelimit-Limit":"20"}}`))
	b, _ := d.decode([]byte(`{"endpoint":"list","headers":{"X-Ratelimit-Limit":"20"}}`))
	if a.Endpoint != b.Endpoint || unsafeData(a.Endpoint) != unsafeData(b.Endpoint) {
		t.Errorf("decode shares no memory for a repeated endpoint")
	}
	a.Headers["X-Ratelimit-Limit"] = "changed"
	if b.Headers["X-Ratelimit-Limit"] != "20" {
		t.Errorf("decoded observations share a headers map")
	}
}

func FuzzDecodeLine(f *testing.F) {
	for _, o := range sampleObservations(4) {
		line, _ := appendObservation(nil, o)
		f.Add(line[:len(line)-1])
	}
	f.Add([]byte(`{"seq":1,"body":"\"\\\/\b\f\n\r\t\u003c\u00e9\u2028"}`))
	f.Add([]byte(`{"headers":{"A":"1","A":"2"},"phase":-0}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		checkLikeEncodingJSON(t, line)
	})
}
