package scenarios

import (
	"testing"
)

func TestWithPlan(t *testing.T) {
	sc, err := Load("workspace.yaml")
	if err != nil {
		t.Fatal(err)
	}
	pro, err := sc.WithPlan("pro")
	if err != nil {
		t.Fatalf("WithPlan(pro): %v", err)
	}
	if pro.Plan != "pro" || pro.Limits[0].Requests != 300 || pro.Limits[1].Requests != 50000 || pro.Limits[0].Burst != 300 {
		t.Errorf("WithPlan(pro): plan %q, limits %d (burst %d) and %d; want pro, 300 (300), 50000",
			pro.Plan, pro.Limits[0].Requests, pro.Limits[0].Burst, pro.Limits[1].Requests)
	}
	if sc.Plan != "free" || sc.Limits[0].Requests != 60 {
		t.Errorf("WithPlan changed the original: plan %q, %d", sc.Plan, sc.Limits[0].Requests)
	}
	ent, err := sc.WithPlan("enterprise")
	if err != nil || !ent.Limits[1].Unlimited || ent.Limits[0].Unlimited {
		t.Errorf("WithPlan(enterprise) = per-day unlimited %v, per-minute unlimited %v, %v; want true, false, nil",
			ent.Limits[1].Unlimited, ent.Limits[0].Unlimited, err)
	}
	if _, err := sc.WithPlan("gold"); err == nil {
		t.Error("WithPlan(gold) = nil error; want an error naming the tiers")
	}
	users, _ := Load("users.yaml")
	if _, err := users.WithPlan("pro"); err == nil {
		t.Error("users.yaml WithPlan(pro) = nil error; want: no limit has tiers")
	}
}
