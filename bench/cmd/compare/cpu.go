package main

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// userHZ is the unit of /proc/stat and /proc/PID/stat times: 1/100 s on Linux.
const userHZ = 100

// cpuStat is the machine's CPU time so far, in 1/userHZ seconds, from the
// "cpu" line of /proc/stat.
type cpuStat struct {
	Busy, Total uint64
}

// readCPU reads the aggregate line of /proc/stat. Busy is everything but idle
// and iowait.
func readCPU() (cpuStat, error) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return cpuStat{}, fmt.Errorf("compare: read cpu times: %w", err)
	}
	return parseCPU(data)
}

func parseCPU(data []byte) (cpuStat, error) {
	line, _, _ := bytes.Cut(data, []byte("\n"))
	fields := strings.Fields(string(line))
	if len(fields) < 5 || fields[0] != "cpu" {
		return cpuStat{}, fmt.Errorf("compare: parse /proc/stat: first line %q is not the cpu line", line)
	}
	var st cpuStat
	for i, f := range fields[1:] {
		v, err := strconv.ParseUint(f, 10, 64)
		if err != nil {
			return cpuStat{}, fmt.Errorf("compare: parse /proc/stat field %d: %w", i+1, err)
		}
		st.Total += v
		if i != 3 && i != 4 { // idle, iowait
			st.Busy += v
		}
	}
	return st, nil
}

// cores is how many cores were busy on average between a and b.
func cores(a, b cpuStat) float64 {
	if b.Total <= a.Total {
		return 0
	}
	return float64(b.Busy-a.Busy) / float64(b.Total-a.Total) * float64(runtime.NumCPU())
}

// processCPU is the user+system time a running process has used so far, from
// /proc/PID/stat.
func processCPU(pid int) (time.Duration, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("compare: read cpu time of process %d: %w", pid, err)
	}
	return parseProcessCPU(data)
}

func parseProcessCPU(data []byte) (time.Duration, error) {
	// The command name (field 2) may hold spaces; fields are counted after its ')'.
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, fmt.Errorf("compare: parse process stat: no ')' in %q", data)
	}
	fields := strings.Fields(string(data[i+1:]))
	if len(fields) < 13 {
		return 0, fmt.Errorf("compare: parse process stat: %d fields after the name; want at least 13", len(fields))
	}
	var ticks uint64
	for _, f := range fields[11:13] { // utime, stime: fields 14 and 15
		v, err := strconv.ParseUint(f, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("compare: parse process stat: %w", err)
		}
		ticks += v
	}
	return time.Duration(ticks) * time.Second / userHZ, nil
}

// selfCPU is the user+system time this process has used so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return rusageCPU(&ru)
}

func rusageCPU(ru *syscall.Rusage) time.Duration {
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// busyCores samples the machine for d and returns how many cores were busy.
func busyCores(d time.Duration) (float64, error) {
	a, err := readCPU()
	if err != nil {
		return 0, err
	}
	time.Sleep(d)
	b, err := readCPU()
	if err != nil {
		return 0, err
	}
	return cores(a, b), nil
}

// waitQuiet waits until no more than limit cores are busy, sampling for one
// second at a time, for at most patience. It returns the last sample and
// whether the machine was quiet.
func waitQuiet(limit float64, patience time.Duration, logf func(string, ...any)) (float64, bool) {
	deadline := time.Now().Add(patience)
	for {
		busy, err := busyCores(time.Second)
		if err != nil {
			logf("quiet check: %v", err)
			return 0, false
		}
		if busy <= limit {
			return busy, true
		}
		if time.Now().After(deadline) {
			logf("machine still busy (%.2f cores > %.2f) after %s; measuring anyway", busy, limit, patience)
			return busy, false
		}
		logf("machine busy (%.2f cores > %.2f); waiting", busy, limit)
		time.Sleep(4 * time.Second)
	}
}
