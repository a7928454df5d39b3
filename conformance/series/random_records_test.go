package series

import (
	"math/rand/v2"

	"github.com/ratecheck/ratecheck/conformance/records"
)

// jitteredRecords are n records sent 0 to 3 ms apart (ties among them),
// each answered with a status drawn from statuses, in under 3 ms but for
// a spike of up to 400 ms one time in 50: the random series the judges'
// tests compare two ways of judging on.
func jitteredRecords(r *rand.Rand, n int, statuses []int32) []records.Record {
	recs := make([]records.Record, n)
	var at int64
	for i := range recs {
		at += int64(r.IntN(4)) * 1e6 // ties too
		lat := uint32(r.IntN(3_000))
		if r.IntN(50) == 0 {
			lat = uint32(r.IntN(400_000)) // a spike
		}
		recs[i] = records.Record{Sent: at, Latency: lat, Status: statuses[r.IntN(len(statuses))]}
	}
	return recs
}
