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
