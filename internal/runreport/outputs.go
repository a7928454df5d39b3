package runreport

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/ratecheck/ratecheck/report"
	"github.com/ratecheck/ratecheck/results"
)

// Outputs are the report files a command was asked to write (--json,
// --html, --junit, --md); "" is a file not asked for.
type Outputs struct {
	JSON, HTML, JUnit, Markdown string
}

type reportJob struct {
	path  string
	write func(io.Writer, *report.Report) error
}

// Check finds, before anything is sent, every output that could not be
// written: the run directory dir (when set; a run already stored there is an
// error too) and every requested report file. Each problem is named.
func (o *Outputs) Check(dir string) error {
	var errs []error
	if dir != "" {
		if _, err := os.Stat(filepath.Join(dir, results.ObservationsFile)); err == nil {
			errs = append(errs, fmt.Errorf("--out %s: it holds a run already (use another directory): %w", dir, results.ErrRunExists))
		} else if _, err := os.Stat(filepath.Join(dir, results.LinesFile)); err == nil {
			errs = append(errs, fmt.Errorf("--out %s: it holds a run already (use another directory): %w", dir, results.ErrRunExists))
		} else if err := report.CheckWritable(filepath.Join(dir, results.ObservationsFile)); err != nil {
			errs = append(errs, fmt.Errorf("run directory %s: %w", dir, err))
		}
	}
	for _, f := range []struct{ flag, path string }{
		{"--json", o.JSON}, {"--html", o.HTML}, {"--junit", o.JUnit}, {"--md", o.Markdown},
	} {
		if f.path == "" {
			continue
		}
		if err := report.CheckWritable(f.path); err != nil {
			errs = append(errs, fmt.Errorf("%s %s: %w", f.flag, f.path, err))
		}
	}
	return errors.Join(errs...)
}

// Write writes report.json into the run directory (when dir is set) and every
// requested file, and returns the paths written. It writes all it can and
// reports every failure.
func (o *Outputs) Write(dir string, r *report.Report) ([]string, error) {
	var jobs []reportJob
	if dir != "" {
		jobs = append(jobs, reportJob{filepath.Join(dir, results.ReportFile), report.WriteJSON})
	}
	jobs = append(jobs,
		reportJob{o.JSON, report.WriteJSON},
		reportJob{o.HTML, report.WriteHTML},
		reportJob{o.JUnit, report.WriteJUnit},
		reportJob{o.Markdown, report.WriteMarkdown},
	)
	var written []string
	var errs error
	for _, j := range jobs {
		if j.path == "" {
			continue
		}
		if err := report.WriteFile(j.path, j.write, r); err != nil {
			errs = errors.Join(errs, fmt.Errorf("write report %s: %w", j.path, err))
			continue
		}
		written = append(written, j.path)
	}
	return written, errs
}

// WriteRuns writes the reports several runs share, one after another: the
// JUnit XML with a suite per run and the Markdown document. The other
// outputs are each run's own (Write).
func (o *Outputs) WriteRuns(reps []*report.Report) error {
	var errs []error
	for _, j := range []struct {
		path  string
		write func(w io.Writer, rs []*report.Report) error
	}{
		{o.JUnit, report.WriteJUnitRuns},
		{o.Markdown, report.WriteMarkdownRuns},
	} {
		if j.path == "" {
			continue
		}
		write := func(w io.Writer, _ *report.Report) error { return j.write(w, reps) }
		if err := report.WriteFile(j.path, write, reps[0]); err != nil {
			errs = append(errs, fmt.Errorf("write report %s: %w", j.path, err))
		}
	}
	return errors.Join(errs...)
}
