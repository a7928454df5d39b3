package headers

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// req is the default quota unit.
const req = unitRequests

// policyTests are the cases of TestParsePolicy, also the seeds of the fuzz tests.
var policyTests = []struct {
	name string
	in   string
	want []Policy
}{
	{"draft 10 example", `"default";q=100;w=10`, []Policy{{Name: "default", Quota: 100, Window: 10 * time.Second, QuotaUnit: req}}},
	{"draft 10 two policies", `"permin";q=50;w=60,"perhr";q=1000;w=3600`, []Policy{
		{Name: "permin", Quota: 50, Window: time.Minute, QuotaUnit: req},
		{Name: "perhr", Quota: 1000, Window: time.Hour, QuotaUnit: req},
	}},
	{"draft 10 partition key", `"peruser";q=100;w=60;pk=:cHsdsRa894==:`, []Policy{
		{Name: "peruser", Quota: 100, Window: time.Minute, QuotaUnit: req, Partition: "cHsdsRa89w=="}, // re-encoded: the draft's example has non-zero pad bits
	}},
	{"draft 10 quota unit", `"peruser";q=65535;qu="content-bytes";w=10;pk=:sdfjLJUOUH==:`, []Policy{
		{Name: "peruser", Quota: 65535, Window: 10 * time.Second, QuotaUnit: "content-bytes", Partition: "sdfjLJUOUA=="},
	}},
	{"draft 08 token names", "burst;q=100;w=60,daily;q=1000;w=86400", []Policy{
		{Name: "burst", Quota: 100, Window: time.Minute, QuotaUnit: req},
		{Name: "daily", Quota: 1000, Window: 24 * time.Hour, QuotaUnit: req},
	}},
	{"no window", `"daily";q=5000`, []Policy{{Name: "daily", Quota: 5000, QuotaUnit: req}}},
	{"zero quota", `"blocked";q=0;w=1`, []Policy{{Name: "blocked", Quota: 0, Window: time.Second, QuotaUnit: req}}},
	{"unknown parameters are comments", `"b";q=12;w=1;acme-burst=1000;comment="leaky"`, []Policy{
		{Name: "b", Quota: 12, Window: time.Second, QuotaUnit: req},
	}},
	{"draft 07 integer policy", "100;w=60", []Policy{{Quota: 100, Window: time.Minute, QuotaUnit: req}}},
	{"draft 07 several", "10;w=1, 50;w=60, 1000;w=3600, 5000;w=86400", []Policy{
		{Quota: 10, Window: time.Second, QuotaUnit: req},
		{Quota: 50, Window: time.Minute, QuotaUnit: req},
		{Quota: 1000, Window: time.Hour, QuotaUnit: req},
		{Quota: 5000, Window: 24 * time.Hour, QuotaUnit: req},
	}},
	{"draft 03 limit list", "10, 10;w=1, 50;w=60", []Policy{
		{Quota: 10, QuotaUnit: req},
		{Quota: 10, Window: time.Second, QuotaUnit: req},
		{Quota: 50, Window: time.Minute, QuotaUnit: req},
	}},
}

func TestParsePolicy(t *testing.T) {
	for _, tt := range policyTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePolicy(tt.in)
			if err != nil {
				t.Fatalf("ParsePolicy(%q) error: %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParsePolicy(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

// policyErrorTests are the cases of TestParsePolicyErrors, also the seeds of the fuzz tests.
var policyErrorTests = []struct{ in, want string }{
	{"", `"" is empty`},
	{`"default";w=60`, `member 1 has no q parameter`},
	{`"a";q=1, "b";w=60`, `member 2 has no q parameter`},
	{`"default";q=-1`, `member 1 has a negative q`},
	{`"default";q=1.5`, `member 1 has a q that is a decimal, want an integer`},
	{`"default";q="100"`, `member 1 has a q that is a string, want an integer`},
	{`"default";q=1;w=0`, `member 1 has w=0, want a window of at least 1 second`},
	{`"default";q=1;w=-60`, `member 1 has a negative w`},
	{`"default";q=1;qu=requests`, `member 1 has a qu that is a token, want a string`},
	{`"default";q=1;qu=""`, `member 1 has an empty qu, want a quota unit such as "requests"`},
	{`"default";q=1;w=999999999999999`, `member 1 has a w longer than a duration holds`},
	{`"default";q=1;pk="abc"`, `member 1 has a pk that is a string, want a byte sequence`},
	{`-5;w=1`, `member 1 has a negative quota`},
	{`("a" "b");q=1`, `member 1 is an inner list, want a policy name or a quota`},
	{`?1;q=1`, `member 1 is a boolean, want a policy name or a quota`},
	{`"default";q=100;w=60,`, `is not a structured field list`},
}

func TestParsePolicyErrors(t *testing.T) {
	for _, tt := range policyErrorTests {
		got, err := ParsePolicy(tt.in)
		if err == nil {
			t.Errorf("ParsePolicy(%q) = %v; want an error", tt.in, got)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), quote(tt.in)) {
			t.Errorf("ParsePolicy(%q) error = %q; want the quoted value and %q", tt.in, err, tt.want)
		}
	}
}

// rateLimitTests are the cases of TestParseRateLimit, also the seeds of the fuzz tests.
var rateLimitTests = []struct {
	name string
	in   string
	want []Limit
}{
	{"draft 10 example", `"default";r=50;t=30`, []Limit{
		{Policy: "default", Remaining: 50, HasRemaining: true, Reset: 30 * time.Second, HasReset: true},
	}},
	{"no time window", `"default";r=999;pk=:dHJpYWwxMjEzMjM=:`, []Limit{
		{Policy: "default", Remaining: 999, HasRemaining: true, Partition: "dHJpYWwxMjEzMjM="},
	}},
	{"300MB in 60s", `"default";r=300000000;t=60;pk=:QXBwLTk5OQ==:`, []Limit{
		{Policy: "default", Remaining: 300000000, HasRemaining: true, Reset: time.Minute, HasReset: true, Partition: "QXBwLTk5OQ=="},
	}},
	{"draft 08 token", "default;r=50;t=30", []Limit{
		{Policy: "default", Remaining: 50, HasRemaining: true, Reset: 30 * time.Second, HasReset: true},
	}},
	{"two policies", `"burst";r=0;t=5, "daily";r=950;t=3600`, []Limit{
		{Policy: "burst", Remaining: 0, HasRemaining: true, Reset: 5 * time.Second, HasReset: true},
		{Policy: "daily", Remaining: 950, HasRemaining: true, Reset: time.Hour, HasReset: true},
	}},
	{"t=0", `"default";r=0;t=0`, []Limit{
		{Policy: "default", HasRemaining: true, HasReset: true},
	}},
	{"draft 07 dictionary", "limit=100, remaining=50, reset=5", []Limit{
		{Remaining: 50, HasRemaining: true, Reset: 5 * time.Second, HasReset: true, Quota: 100, HasQuota: true},
	}},
	{"draft 07 without remaining", "limit=20, reset=37", []Limit{
		{Reset: 37 * time.Second, HasReset: true, Quota: 20, HasQuota: true},
	}},
	{"draft 07 drops a reset too long for a duration", "limit=10, reset=999999999999999", []Limit{
		{Quota: 10, HasQuota: true},
	}},
	{"draft 07 ignores unknown keys and bad members", `limit=10, remaining=1, reset=7, policy="x", burst=-1`, []Limit{
		{Remaining: 1, HasRemaining: true, Reset: 7 * time.Second, HasReset: true, Quota: 10, HasQuota: true},
	}},
}

func TestParseRateLimit(t *testing.T) {
	for _, tt := range rateLimitTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRateLimit(tt.in)
			if err != nil {
				t.Fatalf("ParseRateLimit(%q) error: %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseRateLimit(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

// rateLimitErrorTests are the cases of TestParseRateLimitErrors, also the seeds of the fuzz tests.
var rateLimitErrorTests = []struct{ in, want string }{
	{"", `"" is empty`},
	{`"default";t=30`, `member 1 has no r parameter`},
	{`"default";r=-1`, `member 1 has a negative r`},
	{`"default";r=5;t=-2`, `member 1 has a negative t`},
	{`"default";r=5;t=999999999999999`, `member 1 has a t longer than a duration holds`},
	{`"default";r=5;t=1.5`, `member 1 has a t that is a decimal, want an integer`},
	{`50;t=30`, `member 1 is an integer, want a policy name`},
	{`("default");r=5`, `member 1 is an inner list, want a policy name`},
	{`"default";r=5;pk=abc`, `member 1 has a pk that is a token, want a byte sequence`},
	{`"default";r=50;t=30,`, `is not a structured field list: want a member after the comma`},
	{"reset=5", `is not a structured field list`}, // a dictionary needs limit or remaining
	{"remaining=five", `is not a structured field list`},
}

func TestParseRateLimitErrors(t *testing.T) {
	for _, tt := range rateLimitErrorTests {
		got, err := ParseRateLimit(tt.in)
		if err == nil {
			t.Errorf("ParseRateLimit(%q) = %v; want an error", tt.in, got)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseRateLimit(%q) error = %q; want it to contain %q", tt.in, err, tt.want)
		}
	}
}
