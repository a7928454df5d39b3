package matrix

import (
	"math/rand/v2"
	"net/http"
	"os"
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
