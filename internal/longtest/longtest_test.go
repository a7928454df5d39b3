package longtest

import "testing"

func TestSkip(t *testing.T) {
	tests := []struct {
		value   string
		skipped bool
	}{
		{"", true},
		{"0", true},
		{"true", true},
		{"1", false},
	}
	for _, tt := range tests {
		t.Run("RATECHECK_LONG="+tt.value, func(t *testing.T) {
			t.Setenv(Env, tt.value)
			ran := false
			// Skip ends the goroutine it runs on, so run it in a subtest of its own.
			ok := t.Run("inner", func(t *testing.T) {
				Skip(t, "test")
				ran = true
			})
			if !ok {
				t.Fatal("inner test failed")
			}
			if ran == tt.skipped {
				t.Errorf("RATECHECK_LONG=%q: ran = %v; want %v", tt.value, ran, !tt.skipped)
			}
		})
	}
}

// TestParallel tells a parallel subtest by its order: t.Run returns before a
// parallel subtest's body goes on past Parallel, and after a sequential one's.
func TestParallel(t *testing.T) {
	for _, tt := range []struct {
		value    string
		parallel bool
	}{
		{"", true},
		{"1", false},
	} {
		t.Run("RATECHECK_LONG="+tt.value, func(t *testing.T) {
			t.Setenv(Env, tt.value)
			done := make(chan struct{})
			t.Run("inner", func(t *testing.T) {
				Parallel(t)
				close(done)
			})
			select {
			case <-done:
				if tt.parallel {
					t.Error("the subtest ran to its end before t.Run returned: Parallel did not make it parallel")
				}
			default:
				if !tt.parallel {
					t.Error("t.Run returned before the subtest ended: Parallel made it parallel in the long step")
				}
			}
		})
	}
}
