package records

import (
	"testing"
	"time"
)

// answer is one status at a time, in milliseconds.
type answer struct {
	ms     int64
	status int32
}

// timeline builds one client's answers: n requests every step ms from
// start, each answered status.
func timeline(start, step int64, n int, status int32) []answer {
	out := make([]answer, n)
	for i := range out {
		out[i] = answer{start + int64(i)*step, status}
	}
	return out
}

// with returns as with the answers at the given indexes replaced by status.
func with(as []answer, status int32, at ...int) []answer {
	out := append([]answer(nil), as...)
	for _, i := range at {
		out[i].status = status
	}
	return out
}

func TestAnswerReader(t *testing.T) {
	quiet := timeline(0, 100, 40, 200)        // 4 s unlimited
	limiting := timeline(10_000, 25, 80, 429) // 2 s limited, 1 in 4 admitted
	for i := 0; i < len(limiting); i += 4 {
		limiting[i].status = 200
	}
	run := func(parts ...[]answer) []answer {
		var out []answer
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	for _, tt := range []struct {
		name    string
		answers []answer
		want    Answers
	}{
		{"no 429: every 5xx decides", run(with(quiet, 503, 3, 9)), Answers{Limits503: true}},
		{"no 503", run(quiet, limiting), Answers{Limits429: true, Limits503: true}},
		{"a 503 while not limiting: an upstream's", run(with(quiet, 503, 5), with(limiting, 503, 1, 2)), Answers{Limits429: true}},
		{"503s only while limiting, often: the limiter's", run(quiet, with(limiting, 503, 1, 2, 3, 5, 6, 7, 9, 10)), Answers{Limits429: true, Limits503: true}},
		{"two 503s while limiting, 40 quiet admissions: unsure", run(quiet, with(limiting, 503, 1, 5)), Answers{Limits429: true, Unsure503: true}},
		{"many 503s while limiting, no quiet admission: unsure", run(with(limiting, 503, 1, 2, 3, 5, 6, 7)), Answers{Limits429: true, Unsure503: true}},
	} {
		r := AnswerReader{Window: int64(time.Second)}
		as := tt.answers
		r.Key(len(as), func(i int) (int64, int32) { return as[i].ms * int64(time.Millisecond), as[i].status })
		if got := r.Answers(); got != tt.want {
			t.Errorf("%s: Answers = %+v; want %+v", tt.name, got, tt.want)
		}
	}
}

// TestAnswersDecide: beside 429s every 5xx is a server error but the 503s
// the limiter answers; without 429s every 5xx is a decision.
func TestAnswersDecide(t *testing.T) {
	for _, tt := range []struct {
		a        Answers
		status   int32
		decided  bool
		serverEr bool
	}{
		{Answers{Limits503: true}, 503, true, false},
		{Answers{Limits503: true}, 502, true, true},
		{Answers{Limits429: true, Limits503: true}, 503, true, false},
		{Answers{Limits429: true, Limits503: true}, 500, false, true},
		{Answers{Limits429: true}, 503, false, true},
		{Answers{Limits429: true, Unsure503: true}, 503, false, true},
		{Answers{Limits429: true}, 429, true, false},
		{Answers{Limits429: true}, 200, true, false},
		{Answers{Limits429: true}, 401, false, false},
	} {
		if got := tt.a.Decided(tt.status); got != tt.decided {
			t.Errorf("%+v.Decided(%d) = %v; want %v", tt.a, tt.status, got, tt.decided)
		}
		if got := tt.a.ServerError(tt.status); got != tt.serverEr {
			t.Errorf("%+v.ServerError(%d) = %v; want %v", tt.a, tt.status, got, tt.serverEr)
		}
	}
}
