package matrix

import (
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"time"
)

// jittered delays every request by a random time in [0, RATECHECK_MATRIX_JITTER)
// before h decides it, as a loaded server would, so that the matrix can be run
// with far more arrival uncertainty than loopback gives (requests overtake
// each other once the jitter exceeds the 25 ms between paced requests). Unset,
// h is returned as it is.
func jittered(h http.Handler) http.Handler {
	j, err := time.ParseDuration(os.Getenv("RATECHECK_MATRIX_JITTER"))
	if err != nil || j <= 0 {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(time.Duration(rand.Int64N(int64(j))))
		h.ServeHTTP(w, r)
	})
}

// wantFor is what cell c must give. With jitter, off-by-one's limit.enforced
// may instead pass with ambiguous decisions counted (never cleanly): once the
// arrival uncertainty exceeds the spacing of the paced requests, every
// first-request-aligned window may start a request later and hand its first
// admission to the window before, down to one that had room.
func wantFor(c cell) want {
	w := faults[c.fault]
	if c.fault == "off-by-one" && os.Getenv("RATECHECK_MATRIX_JITTER") != "" {
		w.orAmbiguous = slices.Clone(w.fail)
	}
	return w
}
