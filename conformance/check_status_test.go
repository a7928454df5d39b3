package conformance

import (
	"testing"

	"github.com/ratecheck/ratecheck/conformance/model"
	"github.com/ratecheck/ratecheck/conformance/records"
	"github.com/ratecheck/ratecheck/conformance/series"
)

func TestStatusList(t *testing.T) {
	refs := func(codes ...int32) []model.Ref {
		s := &series.Series{}
		var out []model.Ref
		for i, c := range codes {
			s.Reqs = append(s.Reqs, records.Record{Status: c})
			out = append(out, model.Ref{S: s, I: i})
		}
		return out
	}
	tests := []struct {
		codes []int32
		want  string
	}{{[]int32{503}, "503"}, {[]int32{500, 503, 503}, "503 and 500"}, {[]int32{500, 502, 503, 503}, "503, 500 and 502"}}
	for _, tt := range tests {
		if got := statusList(refs(tt.codes...)); got != tt.want {
			t.Errorf("statusList(%v) = %q; want %q", tt.codes, got, tt.want)
		}
	}
}
