package runner

// Judging runs judge under the collector settings for judging (see
// gcpolicy.go): when it is the only run in the process, GOGC=25 and a soft
// memory limit just above the live heap; they are restored afterwards.
func Judging[T any](judge func() T) T {
	defer enterGC(gcJudging)()
	return judge()
}
