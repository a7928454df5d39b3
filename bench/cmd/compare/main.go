// Command compare measures ratecheck's load generation against vegeta's own
// CLI at the same version: both hit the same loopback target, one after the
// other, N times each, and the medians are printed side by side with their
// ratios and the goals of issue 4:
//
//   - max throughput: vegeta attack -rate=0 -max-workers=W | vegeta report,
//     against a ratecheck phase with rate max over W connections;
//   - achieved ÷ requested rate at each of -rates, for both;
//   - send-lag p99 (send time − the ideal schedule) at each of -rates;
//   - peak RSS of a run of -rss-requests requests (vegeta: attack + report),
//     and of ratecheck judging the same traffic under a limit of half its
//     rate (every window over-admitted, so every request is replayed).
//
// ratecheck runs with its checks and its results writing on (it always
// has them). Everything is sent to 127.0.0.1 only; every run is bounded by its
// duration. Run it from bench/ (or through bench/run.sh): it builds vegeta,
// ratecheck and the target with the bench module's go.mod.
//
// compare drives both tools as programs. It imports only the product's public
// results package (to read the observations) and vegeta's lib (to decode
// vegeta's results), never product internals.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// options are the command line.
type options struct {
	Only        []string // sections to run: throughput, rates, rss
	N           int
	Duration    time.Duration
	Rates       []int
	Workers     uint64
	BestOf      []uint64
	RSSRequests int
	RSSRate     int
	// SoakDurations and SoakRate: the soak section (soak.go).
	SoakDurations []time.Duration
	SoakRate      int
	Bin           string
	Work          string
	Keep          bool
	Quiet         float64
	QuietWait     time.Duration
	JSON          string
	From          string // print the table of these saved samples and stop
	Scenarios     string // write the scenarios here and stop
}

// sections in the order they run; defaultSections run without -only (the
// soak section takes 2 × the sum of its durations and more).
var (
	sections        = []string{"throughput", "rates", "rss", "soak"}
	defaultSections = []string{"throughput", "rates", "rss"}
)

// rssLimit is the limit per second of the limited RSS run: half its rate.
func (o options) rssLimit() int { return max(1, o.RSSRate/2) }

// rssDuration is how long the RSS run takes to send RSSRequests at RSSRate.
func (o options) rssDuration() time.Duration {
	return time.Duration(float64(o.RSSRequests) / float64(o.RSSRate) * float64(time.Second))
}

func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	only := fs.String("only", strings.Join(defaultSections, ","), "comma-separated `sections` to run: throughput, rates, rss, soak")
	soakDurations := fs.String("soak-durations", "1m,5m,20m", "comma-separated `durations` of the soak runs")
	fs.IntVar(&o.SoakRate, "soak-rate", 16_000, "rate per second of the soak runs (declared limit: half of it)")
	rates := fs.String("rates", "1000,5000,10000,20000", "comma-separated requested `rates` per second")
	bestOf := fs.String("best-of", "64,128", fmt.Sprintf("vegeta -max-workers `settings` tried at rates above %d/s; the best counts", bestOfAbove))
	fs.IntVar(&o.N, "n", 3, "repetitions of each measurement (the table shows medians)")
	fs.DurationVar(&o.Duration, "duration", 10*time.Second, "length of each throughput and rate run")
	fs.Uint64Var(&o.Workers, "workers", 64, "vegeta -max-workers and ratecheck run.connections")
	fs.IntVar(&o.RSSRequests, "rss-requests", 1_000_000, "requests in the peak-RSS run")
	fs.IntVar(&o.RSSRate, "rss-rate", 16_000, "rate per second of the peak-RSS run")
	fs.StringVar(&o.Bin, "bin", "", "`dir` holding prebuilt vegeta, ratecheck and target (default: build them)")
	fs.StringVar(&o.Work, "work", "", "work `dir` for scenarios, results and binaries (default: a temporary one, removed)")
	fs.BoolVar(&o.Keep, "keep", false, "keep the work directory")
	fs.Float64Var(&o.Quiet, "quiet", 0.3, "busy `cores` above which a run waits for the machine to calm down")
	fs.DurationVar(&o.QuietWait, "quiet-wait", 2*time.Minute, "longest wait for a quiet machine before each run")
	fs.StringVar(&o.JSON, "json", "", "write every sample to `file` as JSON")
	fs.StringVar(&o.From, "from", "", "print the table of samples saved with -json in `file` (same flags as that run) and exit")
	fs.StringVar(&o.Scenarios, "scenarios", "", "write the scenarios of a run with these flags to `dir` and exit, running nothing")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	var err error
	if o.Only, err = splitSections(*only); err != nil {
		return o, err
	}
	if o.Rates, err = splitInts(*rates); err != nil {
		return o, fmt.Errorf("-rates: %w", err)
	}
	for _, f := range strings.Split(*soakDurations, ",") {
		d, err := time.ParseDuration(strings.TrimSpace(f))
		if err != nil || d <= 0 {
			return o, fmt.Errorf("-soak-durations: %q is not a positive duration", f)
		}
		o.SoakDurations = append(o.SoakDurations, d)
	}
	bo, err := splitInts(*bestOf)
	if err != nil {
		return o, fmt.Errorf("-best-of: %w", err)
	}
	for _, w := range bo {
		o.BestOf = append(o.BestOf, uint64(w))
	}
	switch {
	case o.N < 1:
		return o, errors.New("-n: want at least 1")
	case o.Duration <= 0:
		return o, errors.New("-duration: want a positive duration")
	case o.Workers < 1:
		return o, errors.New("-workers: want at least 1")
	case o.SoakRate < 2:
		return o, errors.New("-soak-rate: want at least 2")
	case o.RSSRequests < 1 || o.RSSRate < 1:
		return o, errors.New("-rss-requests and -rss-rate: want positive numbers")
	}
	return o, nil
}

func splitSections(s string) ([]string, error) {
	var out []string
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if !slices.Contains(sections, f) {
			return nil, fmt.Errorf("-only: unknown section %q (want %s)", f, strings.Join(sections, ", "))
		}
		out = append(out, f)
	}
	return out, nil
}

// splitInts parses a comma-separated list of positive whole numbers.
func splitInts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a positive whole number", f)
		}
		out = append(out, n)
	}
	return out, nil
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == rusageFlag {
		os.Exit(runWrapper(os.Args[2:]))
	}
	o, err := parseFlags(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(2)
	}
	if o.Scenarios != "" {
		if err := writeScenarios(o.Scenarios, o); err != nil {
			fmt.Fprintln(os.Stderr, "compare:", err)
			os.Exit(1)
		}
		return
	}
	if o.From != "" {
		if err := printFrom(o.From, o); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, err) // run's errors name compare already
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	b, err := setup(ctx, o)
	if err != nil {
		return err
	}
	defer b.close()
	b.logf("machine: %d cores, %s; target %s (pid %d); work dir %s", runtime.NumCPU(), runtime.Version(), b.targetURL, b.targetPID, b.work)
	b.logf("estimated time: %s (plus waits for a quiet machine)", estimate(o).Round(time.Second))
	run := map[string]func(context.Context) error{"throughput": b.throughput, "rates": b.rates, "rss": b.rss, "soak": b.soak}
	for _, s := range sections {
		if !slices.Contains(o.Only, s) {
			continue
		}
		if err := run[s](ctx); err != nil {
			if ctx.Err() == nil {
				return err
			}
			b.logf("interrupted: the table shows what was measured")
			break
		}
	}
	fmt.Printf("\nratecheck vs vegeta CLI v12.13.0, %s, %d cores, medians of %d [min–max]\n", time.Now().UTC().Format("2006-01-02 15:04 MST"), runtime.NumCPU(), o.N)
	fmt.Printf("ratecheck built from %s\n\n", b.source)
	printResults(b.samples, o)
	if o.JSON != "" {
		data, err := json.MarshalIndent(b.samples, "", "  ")
		if err != nil {
			return fmt.Errorf("compare: encode samples: %w", err)
		}
		if err := os.WriteFile(o.JSON, data, 0o644); err != nil {
			return fmt.Errorf("compare: write samples: %w", err)
		}
	}
	return nil
}

// printResults prints the table and the notes on the samples.
func printResults(samples []sample, o options) {
	writeTable(os.Stdout, table(samples, o))
	if l := ownLag(samples, o); l != "" {
		fmt.Println("\n" + l)
	}
	for _, n := range notes(samples, o) {
		fmt.Println("note:", n)
	}
}

// printFrom prints the results of a run whose samples were saved with -json;
// the flags must match that run's.
func printFrom(file string, o options) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("compare: read samples: %w", err)
	}
	var samples []sample
	if err := json.Unmarshal(data, &samples); err != nil {
		return fmt.Errorf("compare: decode samples %s: %w", file, err)
	}
	printResults(samples, o)
	return nil
}

// estimate is how long the selected sections take, without quiet waits:
// each run plus about two seconds of start-up and checks.
func estimate(o options) time.Duration {
	per := func(d time.Duration) time.Duration { return d + 2*time.Second }
	var total time.Duration
	for _, s := range o.Only {
		switch s {
		case "throughput":
			total += 2 * per(o.Duration)
		case "rates":
			for _, r := range o.Rates {
				total += 2 * per(o.Duration)
				if r > bestOfAbove {
					for _, w := range o.BestOf {
						if w != o.Workers {
							total += per(o.Duration)
						}
					}
				}
			}
		case "rss":
			total += 3 * per(o.rssDuration()+3*time.Second)
		case "soak":
			for _, d := range o.SoakDurations {
				total += 2*per(d) + d/4 // and the two reports
			}
		}
	}
	return time.Duration(o.N) * total
}
