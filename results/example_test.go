package results_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/ratecheck/ratecheck/results"
)

// A run writes its directory as observations arrive; `ratecheck report` opens it
// later and replays them.
func Example() {
	root, err := os.MkdirTemp("", "runs")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(root)

	started := time.Date(2026, 11, 22, 14, 20, 0, 0, time.UTC)
	dir := results.DefaultDir(root, started, "copilot")
	meta := results.Meta{RunID: filepath.Base(dir), ScenarioName: "copilot", Target: "http://127.0.0.1:8080", Started: started}
	w, err := results.Create(dir, meta, []byte("name: copilot\n"))
	if err != nil {
		log.Fatal(err)
	}
	for i, status := range []int{200, 200, 429} {
		o := results.Observation{Seq: uint64(i + 1), Endpoint: "list", Sent: started.Add(time.Duration(i) * time.Millisecond), Status: status}
		if err := w.Append(o); err != nil {
			log.Fatal(err)
		}
	}
	meta.Finished = started.Add(3 * time.Second)
	if err := w.Close(meta); err != nil {
		log.Fatal(err)
	}

	run, err := results.Open(dir)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(run.Meta.RunID, run.Meta.Finished.Sub(run.Meta.Started))
	for o, err := range run.Observations() {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(o.Seq, o.Status, o.Limited())
	}
	// Output:
	// 20261122T142000Z-copilot 3s
	// 1 200 false
	// 2 200 false
	// 3 429 true
}
