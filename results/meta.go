package results

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// SchemaVersion is the version of the run directory format this package writes
// and the newest it reads: 2 stores observations in observations.bin; 1 (still
// read) in observations.jsonl.
const SchemaVersion = 2

// The files of a run directory.
const (
	MetaFile         = "meta.json"          // run metadata
	ScenarioFile     = "scenario.yaml"      // the scenario file's bytes
	ObservationsFile = "observations.bin"   // observations in compressed blocks
	LinesFile        = "observations.jsonl" // one observation per line: runs written before observations.bin
	ReportFile       = "report.json"        // the report, written by the CLI
)

// Meta describes a run: what was run, against what, when, and how it ended.
type Meta struct {
	SchemaVersion int       `json:"schema_version"`
	RunID         string    `json:"run_id"`
	Tool          string    `json:"tool"`          // "ratecheck <version>"
	ScenarioFile  string    `json:"scenario_file"` // the path the scenario was read from
	ScenarioName  string    `json:"scenario_name"`
	Target        string    `json:"target"` // base URL; user information and query values are stripped
	BuiltinTarget bool      `json:"builtin_target"`
	Fault         string    `json:"fault,omitempty"`     // fault injected into the built-in target
	PlanTier      string    `json:"plan_tier,omitempty"` // --tier: the plan tier chosen over the scenario's plan:
	Lean          bool      `json:"lean,omitempty"`      // --lean: the run followed the lean plan
	Limit         string    `json:"limit,omitempty"`     // the limit under test (--limit, or one of a scenario's several)
	Started       time.Time `json:"started"`
	Finished      time.Time `json:"finished,omitzero"` // zero until the run ends
	Interrupted   bool      `json:"interrupted"`       // the run stopped before its plan ended
	// Stopped says what stopped an interrupted run: "SIGINT", "SIGTERM" or
	// "quit" (the dashboard); "" when it was not interrupted.
	Stopped string `json:"stopped,omitempty"`
	// PhaseStarts holds, per plan phase, when the phase was launched: the
	// origin of its send schedule, from which send lag counts (zero for a
	// phase that sent nothing). Runs written before it was added have none.
	PhaseStarts []time.Time `json:"phase_starts,omitempty"`
	Notes       []string    `json:"notes,omitempty"`
	// Shard is "i/N" for one shard of a sharded run (it sent requests i,
	// i+N, … of every phase), empty for a whole run. StartAt is the start
	// time the shards shared, as this machine's clock read it.
	Shard   string    `json:"shard,omitempty"`
	StartAt time.Time `json:"start_at,omitzero"`
	// SourceAddr is the local address the run sent from, when one was set.
	SourceAddr string `json:"source_addr,omitempty"`
	// OtherSources are the further addresses phases of a second client
	// sent from (limit.per-ip); the plan is rebuilt with them.
	OtherSources []string `json:"other_sources,omitempty"`
	Args         []string `json:"args,omitempty"` // the command line; callers leave secrets out
	// QuotaTests names the quotas a run against a real API spent until they
	// ran out (--max-share above their cost); the plan is rebuilt with them.
	QuotaTests []string `json:"quota_tests,omitempty"`
	// KeysLeftOut names the scenario's optional keys the run went without
	// (their variables were unset); the plan is rebuilt without them.
	KeysLeftOut []string `json:"keys_left_out,omitempty"`
}

// DefaultDir is the directory a run started at started for the named scenario
// writes under root: root/<UTC start as 20060102T150405Z>-<scenario>. The
// scenario name is reduced to letters, digits, '.', '_' and '-' (at most 64
// bytes), so it can never name another directory.
func DefaultDir(root string, started time.Time, scenario string) string {
	return filepath.Join(root, started.UTC().Format("20060102T150405Z")+"-"+safeName(scenario))
}

// SafeName maps a scenario name to a file name component, as DefaultDir
// does: letters, digits, '.', '_' and '-', other runs of characters as one
// '-'.
func SafeName(s string) string { return safeName(s) }

// safeName maps a scenario name to a file name component.
func safeName(s string) string {
	const maxLen = 64
	var b strings.Builder
	dash := false
	for _, r := range s {
		ok := r < 0x80 && (r == '.' || r == '_' || r == '-' ||
			'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9')
		switch {
		case ok:
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= maxLen {
			break
		}
	}
	name := strings.Trim(b.String(), "-.")
	if name == "" {
		return "run"
	}
	return name
}

// RedactTarget removes what may hold credentials from a target URL: user
// information (some APIs take the key as the user name) and query values.
// Strings that do not parse as URLs are kept only up to any '@' or '?'.
func RedactTarget(target string) string {
	u, err := url.Parse(target)
	if err != nil {
		if i := strings.LastIndexByte(target, '@'); i >= 0 {
			target = target[i+1:]
		}
		if i := strings.IndexByte(target, '?'); i >= 0 {
			target = target[:i]
		}
		return target
	}
	u.User = nil
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			q[k] = []string{"REDACTED"}
		}
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// TargetName names the target a run judged, as the first line of every output
// shows it: "https://api.example.com", or "the built-in reference target on
// http://127.0.0.1:PORT" when builtin; "" when target is "" and not builtin.
func TargetName(target string, builtin bool) string {
	t := RedactTarget(target)
	if !builtin {
		return t
	}
	if t == "" {
		return "the built-in reference target"
	}
	return "the built-in reference target on " + t
}

// redactArgs applies RedactTarget to every argument that is (or, as
// --flag=value, holds) a URL, so a key in a target's query or user
// information never reaches meta.json.
func redactArgs(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		flag, value, isFlag := strings.Cut(a, "=")
		switch {
		case isFlag && strings.HasPrefix(flag, "-") && strings.Contains(value, "://"):
			out[i] = flag + "=" + RedactTarget(value)
		case strings.Contains(a, "://"):
			out[i] = RedactTarget(a)
		default:
			out[i] = a
		}
	}
	if args == nil {
		return nil
	}
	return out
}

// encodeMeta is meta.json's content: indented JSON ending in a newline.
func encodeMeta(m Meta) ([]byte, error) {
	if m.SchemaVersion == 0 {
		m.SchemaVersion = SchemaVersion
	}
	m.Target = RedactTarget(m.Target)
	m.Args = redactArgs(m.Args)
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// writeMeta writes meta.json into dir atomically.
func writeMeta(dir string, m Meta) error {
	path := filepath.Join(dir, MetaFile)
	b, err := encodeMeta(m)
	if err != nil {
		return fmt.Errorf("results: encode %s: %w", path, err)
	}
	if err := writeFileAtomic(path, b); err != nil {
		return fmt.Errorf("results: write %s: %w", path, err)
	}
	return nil
}

// writeFileAtomic writes data to a temporary file next to path, syncs it and
// renames it over path, so readers see the old content or the new, never a mix.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	syncDir(dir)
	return nil
}

// syncDir makes a rename in dir durable where the platform allows; failure only
// weakens durability, so it is ignored.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	d.Sync()
	d.Close()
}
