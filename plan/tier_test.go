package plan

import (
	"math"
	"testing"

	"github.com/ratecheck/ratecheck/scenarios"
)

func TestChargeShares(t *testing.T) {
	sc, err := scenarios.Load("../scenarios/copilot.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name  string
		opts  []Option
		sent  int64
		share float64
		over  bool
	}{
		{"full", nil, 530, 0.265, true},
		{"lean", []Option{Lean()}, 71, 0.0355, false},
	} {
		p := New(sc, tt.opts...)
		monthly := p.Charges[1]
		if monthly.Requests != tt.sent || math.Abs(monthly.Share-tt.share) > 1e-9 {
			t.Errorf("%s: monthly charged %d (share %v); want %d (%v)", tt.name, monthly.Requests, monthly.Share, tt.sent, tt.share)
		}
		want := map[string]float64{"starter": float64(tt.sent) / 2000, "professional": float64(tt.sent) / 10000, "advanced": float64(tt.sent) / 50000, "enterprise": 0}
		for _, tier := range monthly.Tiers {
			if math.Abs(tier.Share-want[tier.Plan]) > 1e-9 || tier.Unlimited != (tier.Plan == "enterprise") {
				t.Errorf("%s: tier %s share %v unlimited %v; want %v", tt.name, tier.Plan, tier.Share, tier.Unlimited, want[tier.Plan])
			}
		}
		if got := len(p.OverShare(DefaultMaxShare)) > 0; got != tt.over {
			t.Errorf("%s: OverShare(10%%) non-empty = %v; want %v", tt.name, got, tt.over)
		}
		// The per-second limit is spent far beyond its budget, but it is a
		// rate, not a quota: the guard never asks about it.
		for _, c := range p.OverShare(0) {
			if c.Limit != "monthly" {
				t.Errorf("%s: OverShare(0) names %s; want only the quota", tt.name, c.Limit)
			}
		}
	}
}

// TestOverShareTogether: the runs of one scenario (one per limit under test)
// spend its quotas together, so their charges are summed before the share is
// compared; another scenario's runs spend other quotas.
func TestOverShareTogether(t *testing.T) {
	sc, err := scenarios.Load("../scenarios/copilot.yaml")
	if err != nil {
		t.Fatal(err)
	}
	lean := New(sc, Lean()) // 71 of monthly's 2000: 3.55%
	other := *sc
	other.File = "other.yaml"
	elsewhere := New(&other, Lean())
	for _, tt := range []struct {
		name  string
		plans []*Plan
		sent  int64 // summed on monthly; 0 when under the share
	}{
		{"one run", []*Plan{lean}, 0},
		{"two runs: 7.1%", []*Plan{lean, lean}, 0},
		{"three runs: 10.65%", []*Plan{lean, lean, lean}, 213},
		{"two of one scenario, one of another", []*Plan{lean, elsewhere, lean}, 0},
	} {
		over := OverShareTogether(DefaultMaxShare, tt.plans...)
		switch {
		case tt.sent == 0 && len(over) > 0:
			t.Errorf("%s: over the share: %+v; want none", tt.name, over)
		case tt.sent > 0 && (len(over) != 1 || over[0].Limit != "monthly" || over[0].Requests != tt.sent ||
			math.Abs(over[0].Share-float64(tt.sent)/2000) > 1e-9):
			t.Errorf("%s: over the share: %+v; want monthly alone, %d of 2000", tt.name, over, tt.sent)
		}
	}
}

// TestLeanPlan: the lean plan of a short window sends about 3.5N and
// exceeds the limit in some window whatever the alignment; a long window's
// sends N plus a few (see TestLeanLongWindow).
func TestLeanPlan(t *testing.T) {
	for _, tt := range []struct {
		file       string
		total      int64
		overAtMost int64
	}{
		// Each ends with the refusals: no key to each endpoint, a wrong key.
		{"copilot.yaml", 71 + 3, 56},
		{"coperniq.yaml", 331 + 3, 256},
		{"users.yaml", 1 + 106 + 3 + 5, 106},
		{"bot-platform.yaml", 1 + 1052 + 2, 1052}, // an hour cannot be waited out in run.max_duration
	} {
		sc, err := scenarios.Load("../scenarios/" + tt.file)
		if err != nil {
			t.Fatal(err)
		}
		p := New(sc, Lean())
		var total, over int64
		for _, ph := range p.Phases {
			total += ph.Requests
			if ph.Kind == scenarios.PhaseOver {
				over += ph.Requests
				if ph.Burst > 1 {
					t.Errorf("%s: lean over phase bursts %d; want one request at a time", tt.file, ph.Burst)
				}
			}
		}
		if total != tt.total || over != tt.overAtMost {
			t.Errorf("%s lean: %d requests, %d over; want %d, %d", tt.file, total, over, tt.total, tt.overAtMost)
		}
		l := p.TestedLimit()
		full := New(sc)
		if ft := plannedTotal(full); total >= ft {
			t.Errorf("%s: lean plan sends %d, not fewer than the full plan's %d", tt.file, total, ft)
		}
		if over <= l.Requests {
			t.Errorf("%s: lean over phase sends %d; want more than the limit %d", tt.file, over, l.Requests)
		}
	}
}

func plannedTotal(p *Plan) int64 {
	var n int64
	for _, ph := range p.Phases {
		n += ph.Requests
	}
	return n
}
