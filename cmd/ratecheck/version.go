package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// version may be set at build time with -ldflags "-X main.version=…"; left at
// "dev", the module's build info decides (see buildVersion).
var version = "dev"

// buildVersion is what a binary knows of its own making.
type buildVersion struct {
	Version  string // v1.2.3, a pseudo-version, or dev for a build from a work tree
	Commit   string // the VCS revision, "" when not built from a repository
	Time     string // the commit's time, RFC 3339
	Modified bool   // the work tree had uncommitted changes
	Go       string // the Go version that built the binary
	Platform string // GOOS/GOARCH
}

// readVersion takes the version from -ldflags when set, else from the module's
// build info: `go install …@v1.2.3` records v1.2.3, `go build` in a clone
// records the commit (and, since Go 1.24, a pseudo-version from it).
func readVersion(ldflags string, read func() (*debug.BuildInfo, bool)) buildVersion {
	v := buildVersion{Version: ldflags, Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	bi, ok := read()
	if !ok || bi == nil {
		return v
	}
	if bi.GoVersion != "" {
		v.Go = bi.GoVersion
	}
	if v.Version == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v.Version = bi.Main.Version
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Commit = s.Value
		case "vcs.time":
			v.Time = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}

// currentVersion is this binary's version.
func currentVersion() buildVersion { return readVersion(version, debug.ReadBuildInfo) }

// Short is one line: "v1.2.3 (commit 0123456789ab, go1.26.8)".
func (v buildVersion) Short() string {
	var parts []string
	if v.Commit != "" {
		c := "commit " + shortCommit(v.Commit)
		if v.Modified {
			c += "+modified"
		}
		parts = append(parts, c)
	}
	parts = append(parts, v.Go)
	return fmt.Sprintf("%s (%s)", v.Version, strings.Join(parts, ", "))
}

// Long is the `ratecheck version` text, one fact a line.
func (v buildVersion) Long() string {
	var b strings.Builder
	fmt.Fprintf(&b, "ratecheck %s\n", v.Version)
	if v.Commit != "" {
		mod := ""
		if v.Modified {
			mod = " (with uncommitted changes)"
		}
		fmt.Fprintf(&b, "commit:   %s%s\n", v.Commit, mod)
		if v.Time != "" {
			fmt.Fprintf(&b, "built at: %s\n", v.Time)
		}
	}
	fmt.Fprintf(&b, "go:       %s %s\n", v.Go, v.Platform)
	return b.String()
}

func shortCommit(c string) string {
	if len(c) > 12 {
		return c[:12]
	}
	return c
}

func newVersionCmd(env *Env) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print ratecheck's version, commit and Go version",
		Long: `version prints what the binary knows of its own making: the module version
(v1.2.3 for 'go install …@v1.2.3'), the commit it was built from and whether
the work tree had changes, and the Go version. --version prints the same.`,
		Args: argsError(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := fmt.Fprint(env.Stdout, currentVersion().Long())
			return err
		},
	}
}
