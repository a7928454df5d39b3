package attack

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ratecheck/ratecheck/plan"
	"github.com/ratecheck/ratecheck/scenarios"
)

func TestCalibrateReportsUndeliverablePhases(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)

	slow := testPlan(plan.Phase{Name: "under", Kind: scenarios.PhaseUnder, Rate: 10, Duration: time.Second, Endpoint: "list", Key: "primary"})
	c, err := Calibrate(context.Background(), slow, Options{Target: u})
	if err != nil {
		t.Fatal(err)
	}
	if c.Connect <= 0 || c.Capacity != 0 || len(c.Problems) != 0 {
		t.Errorf("Calibrate(10/s) = %+v; want a connect time, no capacity probe, no problems", c)
	}

	// A rate no machine sends: the probe measures this machine's capacity and
	// the phase is reported before anything is sent to the target.
	fast := testPlan(plan.Phase{Name: "flood", Kind: scenarios.PhaseOver, Rate: 5e7, Duration: time.Second, Endpoint: "list", Key: "primary"})
	c, err = Calibrate(context.Background(), fast, Options{Target: u, Connections: 4})
	if err != nil {
		t.Fatal(err)
	}
	if c.Capacity <= 0 {
		t.Fatalf("Calibrate(50M/s).Capacity = %v; want the measured capacity", c.Capacity)
	}
	if len(c.Problems) == 0 || !strings.Contains(c.Problems[0], "phase flood asks for 50000000/s") {
		t.Errorf("Calibrate(50M/s).Problems = %q; want the flood phase reported", c.Problems)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("calibration sent %d requests to the target; want none (only TCP connects)", n)
	}
}

func TestCalibrateUnreachable(t *testing.T) {
	u, _ := url.Parse("http://127.0.0.1:1")
	p := testPlan(plan.Phase{Name: "under", Kind: scenarios.PhaseUnder, Rate: 10, Duration: time.Second, Endpoint: "list", Key: "primary"})
	if _, err := Calibrate(context.Background(), p, Options{Target: u}); !errors.Is(err, ErrTargetUnreachable) {
		t.Errorf("Calibrate(unreachable) = %v; want ErrTargetUnreachable", err)
	}
}
