package dashboard

import "testing"

func TestClean(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"per-second: 20 per 1s per key (any)", "per-second: 20 per 1s per key (any)"},
		{"X-RateLimit-Remaining counts down", "X-RateLimit-Remaining counts down"},
		{"recovery-after-the-pause-2 ok", "recovery-after-the-pause-2 ok"},
		{"built-in target: demo key generated", "built-in target: demo key generated"},
		{"api key: missing", "api key: missing"},
		{"Authorization: Bearer abc.def-ghi", "Authorization: Bearer [redacted]"},
		{"X-API-KEY: k3y-value-9", "X-API-KEY: [redacted]"},
		{"Authorization: Basic dXNlcjpwYXNz", "Authorization: Basic [redacted]"},
		{"https://api.example.com/v1?api_key=abcdefgh&x=1", "https://api.example.com/v1?api_key=[redacted]&x=1"},
		{`{"token":"abcdefgh"}`, `{"token":"[redacted]"}`},
		{"https://bob:pw@host/x", "https://[redacted]@host/x"},
		{"key sk_live_4eC39HqLyjWDarjtT1zdp7dc", "key [redacted]"},
		{"id 0123456789abcdef0123", "id [redacted]"},
		{"AbCdEfGhIjKlMnOpQrStUvWx", "[redacted]"},
		{"line\nbreak\ttab\x1b[31m", "line break tab [31m"},
	}
	for _, tt := range tests {
		if got := clean(tt.in); got != tt.want {
			t.Errorf("clean(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}
