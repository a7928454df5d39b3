package response

import "testing"

// TestTextsRawRemaining checks that a Remaining value reads back as received,
// and that only values that are not their number written out are kept.
func TestTextsRawRemaining(t *testing.T) {
	tests := []struct {
		raw  string
		rem  int64
		kept bool
	}{
		{"17", 17, false},
		{"0", 0, false},
		{"-1", -1, false},
		{" 17", 17, true},
		{"017", 17, true},
		{`"default";r=17;t=3`, 17, true},
	}
	var tx texts
	for _, tt := range tests {
		r := respRec{hasRem: true, rem: tt.rem}
		r.raw = tx.remRaw(tt.raw, tt.rem)
		if got := tx.rawRem(&r); got != tt.raw {
			t.Errorf("rawRem(remRaw(%q, %d)) = %q; want %q", tt.raw, tt.rem, got, tt.raw)
		}
		if kept := r.raw != 0; kept != tt.kept {
			t.Errorf("remRaw(%q, %d) kept the text: %v; want %v", tt.raw, tt.rem, kept, tt.kept)
		}
	}
}

// TestTextsOnce checks that each distinct value is kept once.
func TestTextsOnce(t *testing.T) {
	var tx texts
	vals := []string{"1732280001", "1732280001", "1732280002", "", "1732280001"}
	ids := make([]int32, len(vals))
	for i, v := range vals {
		ids[i] = tx.id(v)
		if got := tx.get(ids[i]); got != v {
			t.Errorf("get(id(%q)) = %q; want %q", v, got, v)
		}
	}
	if len(tx.list) != 2 || ids[0] != ids[1] || ids[0] != ids[4] || ids[3] != 0 {
		t.Errorf("ids %v, %d values kept; want the repeated value once, \"\" as 0, 2 values kept", ids, len(tx.list))
	}
}
