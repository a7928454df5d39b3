package results

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
)

// ErrSchemaVersion is returned by Open for a run written in a format version
// this package does not read.
var ErrSchemaVersion = errors.New("unsupported run schema version")

// maxLineLen bounds one line of observations.jsonl, so a corrupt file cannot
// make a reader hold it all in memory.
const maxLineLen = 16 << 20

// Run is a stored run, opened for re-analysis.
type Run struct {
	Dir      string
	Meta     Meta
	Scenario []byte // scenario.yaml's bytes

	cutLine int    // the line number of a last line cut short, found by Observations
	cut     string // what Observations skipped at the end of the file, "" if nothing
}

// Finished reports whether the run ended and recorded its end: meta.json is
// rewritten with Finished when the writer closes, after the observations
// are synced to disk. A run whose process died (kill -9, power loss) has
// none, and is judged from what it recorded.
func (r *Run) Finished() bool { return !r.Meta.Finished.IsZero() }

// Cut says what the latest pass of Observations skipped at the end of the
// observations file, cut short when the process died mid-write, naming
// the file ("runs/x/observations.bin: the last block (from byte 1234) was
// cut short …"); "" when it skipped nothing.
func (r *Run) Cut() string { return r.cut }

// ObservationsPath is the run's observations file: observations.bin, or
// observations.jsonl for a run written before it.
func (r *Run) ObservationsPath() string {
	bin := filepath.Join(r.Dir, ObservationsFile)
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	if lines := filepath.Join(r.Dir, LinesFile); fileExists(lines) {
		return lines
	}
	return bin
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// Open reads the run stored in dir: its meta.json and scenario.yaml. Errors
// name the file at fault. Observations are read on demand by Observations.
func Open(dir string) (*Run, error) {
	path := filepath.Join(dir, MetaFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("results: open run: %w", err)
	}
	var m Meta
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("results: open run: decode %s: %w", path, err)
	}
	if m.SchemaVersion < 1 || m.SchemaVersion > SchemaVersion {
		return nil, fmt.Errorf("results: open run: %s: schema_version %d (this ratecheck reads 1 to %d): %w",
			path, m.SchemaVersion, SchemaVersion, ErrSchemaVersion)
	}
	sc, err := os.ReadFile(filepath.Join(dir, ScenarioFile))
	if err != nil {
		return nil, fmt.Errorf("results: open run: %w", err)
	}
	return &Run{Dir: dir, Meta: m, Scenario: sc}, nil
}

// Observations streams the run's observations in file order. Each call reads
// the file anew. A last block or line cut short (the process died mid-write)
// is skipped; anything else that does not decode ends the sequence with an
// error naming the file and where in it. Errors are yielded with a zero
// Observation, and nothing follows them. After a pass, Cut says whether something
// cut short was skipped.
// Observations whose headers are the same may share one Headers map (the
// one's before, or one read earlier in the pass): the maps are to be read,
// never changed.
func (r *Run) Observations() iter.Seq2[Observation, error] {
	path := r.ObservationsPath()
	return func(yield func(Observation, error) bool) {
		r.cutLine, r.cut = 0, ""
		f, err := os.Open(path)
		if err != nil {
			yield(Observation{}, fmt.Errorf("results: read observations: %w", err))
			return
		}
		defer f.Close()
		if filepath.Base(path) == LinesFile {
			decodeLines(path, f, yield, func(n int) {
				r.cutLine = n
				r.cut = fmt.Sprintf("%s:%d: the last line was cut short (the process died mid-write) and is skipped", path, n)
			})
			return
		}
		decodeBlocks(path, f, yield, func(msg string) { r.cut = path + ": " + msg })
	}
}

// Count is about how many observations a pass of Observations yields,
// known without decoding them: the counts in observations.bin's block
// headers (a last block cut short may be counted), or -1 for
// observations.jsonl, whose lines are not counted in advance.
func (r *Run) Count() (int64, error) {
	path := r.ObservationsPath()
	if filepath.Base(path) == LinesFile {
		return -1, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("results: count observations: %w", err)
	}
	defer f.Close()
	n, err := countBlocks(f)
	if err != nil {
		return n, fmt.Errorf("results: count observations in %s: %w", path, err)
	}
	return n, nil
}

// decodeLines decodes the observations in rd (named path in errors) and yields
// them until yield returns false, the input ends, or an error is yielded. A
// last line cut short is skipped and its number passed to cut.
func decodeLines(path string, rd io.Reader, yield func(Observation, error) bool, cut func(line int)) {
	lr := newLineReader(rd, maxLineLen)
	dec := newDecoder()
	for n := 1; ; n++ {
		line, complete, err := lr.next()
		if err == io.EOF {
			return
		}
		if err != nil {
			yield(Observation{}, fmt.Errorf("results: read %s:%d: %w", path, n, err))
			return
		}
		if isBlank(line) {
			continue
		}
		o, err := dec.decode(line)
		if err != nil {
			if !complete {
				cut(n) // a truncated last line: the writer died mid-line
				return
			}
			yield(Observation{}, fmt.Errorf("results: decode %s:%d: %w", path, n, err))
			return
		}
		if !yield(o, nil) {
			return
		}
	}
}

func isBlank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' {
			return false
		}
	}
	return true
}
