package attack

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/scenarios"
)

func TestRedactorString(t *testing.T) {
	const key = "sk-Live_7Qx9/Zp+w2=Ka"
	red := newRedactor(map[string]string{"primary": key, "empty": ""})
	b64 := func(enc *base64.Encoding, s string) string { return enc.EncodeToString([]byte(s)) }
	tests := []struct {
		name string
		in   string
		cut  bool
		want string
	}{
		{"raw", `{"key":"` + key + `"}`, false, `{"key":"[REDACTED]"}`},
		{"after Bearer", "Bearer " + key, false, "Bearer [REDACTED]"},
		{"other case", strings.ToUpper(key), false, "[REDACTED]"},
		{"twice", key + "," + key, false, "[REDACTED],[REDACTED]"},
		{"query-escaped", "u?k=" + url.QueryEscape(key), false, "u?k=[REDACTED]"},
		{"path-escaped", "/k/" + url.PathEscape(key) + "/x", false, "/k/[REDACTED]/x"},
		{"hex", "h=" + hex.EncodeToString([]byte(key)), false, "h=[REDACTED]"},
		{"no key", "nothing to hide, 429 Too Many Requests", false, "nothing to hide, 429 Too Many Requests"},
		{"a cut body ending in the start of a key", `{"echo":"` + key[:9], true, `{"echo":"[REDACTED]`},
		{"the same tail in a whole body is kept", `{"echo":"` + key[:9], false, `{"echo":"` + key[:9]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := red.String(tt.in, tt.cut); got != tt.want {
				t.Errorf("String(%q, %v) = %q; want %q", tt.in, tt.cut, got, tt.want)
			}
		})
	}
	// base64 of the key anywhere in a longer encoded input: Basic auth with
	// the key as user or password, at every alignment, in both alphabets.
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding} {
		for _, in := range []string{key, "user:" + key, "us:" + key, "u:" + key, key + ":", "x" + key + "yz"} {
			s := b64(enc, in)
			got := red.String("Basic "+s, false)
			if strings.Contains(got, s) || !strings.Contains(got, Redacted) {
				t.Errorf("String(base64 %q = %q) = %q; want the key's part hidden", in, s, got)
			}
		}
	}
	var nilRed *redactor
	if got := nilRed.String(key, true); got != key {
		t.Errorf("nil redactor changed %q to %q", key, got)
	}
}

// TestStartHidesEchoedKeys sends to a target that echoes the key every way
// it can and checks that no observation holds it.
func TestStartHidesEchoedKeys(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		key := strings.TrimPrefix(auth, "Bearer ")
		w.Header().Set("X-RateLimit-Echo", auth)
		w.Header().Set("X-RateLimit-"+key, "1")
		w.Header().Set("Retry-After", base64.StdEncoding.EncodeToString([]byte("me:"+key)))
		w.WriteHeader(http.StatusTooManyRequests)
		// The snippet (64 bytes) ends inside the second echo.
		body := `{"you sent":"` + auth + `","again":"` + key + `"}`
		w.Write([]byte(body))
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	p := testPlan(plan.Phase{Name: "over", Kind: scenarios.PhaseOver, Rate: 50, Duration: 200 * time.Millisecond, Endpoint: "list", Key: "primary"})
	a, err := Start(context.Background(), p, Options{Target: u, Keys: map[string]string{"primary": testKey}, MaxBody: 64, Headers: []string{"X-Nothing"}})
	if err != nil {
		t.Fatal(err)
	}
	obs := collect(t, a, 20*time.Second)
	if len(obs) != 10 {
		t.Fatalf("got %d observations; want 10", len(obs))
	}
	for _, o := range obs {
		b, _ := json.Marshal(o)
		for _, part := range []string{testKey, testKey[:minPartial+1]} {
			if strings.Contains(string(b), part) {
				t.Fatalf("observation %d holds %q: %s", o.Seq, part, b)
			}
		}
		if o.Headers["X-Ratelimit-Echo"] != "Bearer "+Redacted || !strings.Contains(o.Body, Redacted) {
			t.Errorf("observation %d: headers %v body %q; want the echo kept with the key hidden", o.Seq, o.Headers, o.Body)
		}
	}
}

func BenchmarkRedactorString(b *testing.B) {
	red := newRedactor(map[string]string{"primary": testKey, "secondary": "sk-other-key-0042"})
	body := strings.Repeat(`{"error":"Too Many Requests","retry":1}`, 30)[:1024]
	for b.Loop() {
		red.String(body, true)
	}
}

// TestStartSendsNoKeyAndAWrongKey checks the auth phases: a no-key phase
// sends no Authorization header, a bad-key phase a key of the run's making
// that is none of the scenario's and that no observation holds, even when
// the target echoes it, with the Content-Type of the error responses.
func TestStartSendsNoKeyAndAWrongKey(t *testing.T) {
	var mu sync.Mutex
	got := map[string][]string{} // phase name → Authorization headers received
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth, ok := r.Header["Authorization"]
		mu.Lock()
		if ok {
			got[r.URL.Query().Get("p")] = append(got[r.URL.Query().Get("p")], auth[0])
		}
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"error":"bad key ` + strings.Join(auth, ",") + `"}`))
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	sc := testScenario()
	sc.Endpoints = append(sc.Endpoints, scenarios.Endpoint{Name: "nokey", Method: "GET", Path: "/v1/items?p=no-key"},
		scenarios.Endpoint{Name: "badkey", Method: "GET", Path: "/v1/items?p=bad-key"})
	p := testPlan(
		plan.Phase{Name: "no-key", Kind: scenarios.PhaseNoKey, Rate: 50, Duration: 100 * time.Millisecond, Endpoint: "nokey"},
		plan.Phase{Name: "bad-key", Kind: scenarios.PhaseBadKey, Rate: 50, Duration: 100 * time.Millisecond, Endpoint: "badkey"},
	)
	p.Scenario = sc
	a, err := Start(context.Background(), p, Options{Target: u, Keys: map[string]string{"primary": testKey}})
	if err != nil {
		t.Fatal(err)
	}
	obs := collect(t, a, 20*time.Second)
	if len(obs) != 10 {
		t.Fatalf("got %d observations; want 10", len(obs))
	}
	if n := len(got["no-key"]); n != 0 {
		t.Errorf("the no-key phase sent %d Authorization headers; want none", n)
	}
	bad := got["bad-key"]
	if len(bad) != 5 || bad[0] == "Bearer "+testKey || !strings.HasPrefix(bad[0], "Bearer ratecheck-wrong-key-") {
		t.Fatalf("the bad-key phase sent %q; want 5 of a made-up key, not the real one", bad)
	}
	made := strings.TrimPrefix(bad[0], "Bearer ")
	for _, o := range obs {
		b, _ := json.Marshal(o)
		if strings.Contains(string(b), made) || o.KeyID != "" {
			t.Errorf("observation %d holds the made-up key or a key id: %s", o.Seq, b)
		}
		if o.Headers["Content-Type"] != "application/json" {
			t.Errorf("observation %d headers %v; want the 401's Content-Type", o.Seq, o.Headers)
		}
	}
}
