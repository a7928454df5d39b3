package records

import "testing"

func TestFloorDivMod(t *testing.T) {
	tests := []struct{ a, b, div, mod int64 }{
		{7, 3, 2, 1}, {-7, 3, -3, 2}, {6, 3, 2, 0}, {-6, 3, -2, 0}, {0, 5, 0, 0},
	}
	for _, tt := range tests {
		if got := FloorDiv(tt.a, tt.b); got != tt.div {
			t.Errorf("FloorDiv(%d, %d) = %d; want %d", tt.a, tt.b, got, tt.div)
		}
		if got := FloorMod(tt.a, tt.b); got != tt.mod {
			t.Errorf("FloorMod(%d, %d) = %d; want %d", tt.a, tt.b, got, tt.mod)
		}
	}
}
