package main

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestCIDocsRunTheTestedScript checks that the documented GitHub Actions
// workflow and GitLab CI job run docs/ci/ratecheck-ci.sh (what ci.txtar runs
// against the built-in target), set every variable the script requires, and
// keep the reports as artefacts whatever the verdict.
func TestCIDocsRunTheTestedScript(t *testing.T) {
	t.Parallel()
	script, err := os.ReadFile("../../docs/ci/ratecheck-ci.sh")
	if err != nil {
		t.Fatal(err)
	}
	var required []string
	for _, m := range regexp.MustCompile(`\$\{(RATECHECK_\w+):\?`).FindAllStringSubmatch(string(script), -1) {
		required = append(required, m[1])
	}
	if len(required) < 2 {
		t.Fatalf("the script requires %v; want at least RATECHECK_SCENARIO and RATECHECK_TARGET", required)
	}

	var gh struct {
		Jobs map[string]struct {
			Steps []struct {
				Run  string            `yaml:"run"`
				Uses string            `yaml:"uses"`
				If   string            `yaml:"if"`
				Env  map[string]string `yaml:"env"`
				With map[string]string `yaml:"with"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	readYAML(t, "../../docs/ci/github-actions.yml", &gh)
	job, ok := gh.Jobs["ratecheck"]
	if !ok {
		t.Fatal("github-actions.yml has no ratecheck job")
	}
	ran, uploaded := false, false
	for _, s := range job.Steps {
		if strings.Contains(s.Run, "docs/ci/ratecheck-ci.sh") {
			ran = true
			for _, v := range required {
				if s.Env[v] == "" {
					t.Errorf("github-actions.yml: the script's step does not set %s", v)
				}
			}
			if s.Env["RATECHECK_SUMMARY"] != "${{ github.step_summary }}" {
				t.Errorf("github-actions.yml: RATECHECK_SUMMARY = %q; want the job summary", s.Env["RATECHECK_SUMMARY"])
			}
		}
		if strings.HasPrefix(s.Uses, "actions/upload-artifact@") {
			uploaded = s.If == "always()" && strings.Contains(s.With["path"], "junit.xml") && strings.Contains(s.With["path"], "report.html")
		}
	}
	if !ran || !uploaded {
		t.Errorf("github-actions.yml: runs the script %v, uploads JUnit and HTML always %v; want both", ran, uploaded)
	}

	var gl struct {
		Ratecheck struct {
			Variables map[string]string `yaml:"variables"`
			Script    []string          `yaml:"script"`
			Artifacts struct {
				When    string            `yaml:"when"`
				Paths   []string          `yaml:"paths"`
				Reports map[string]string `yaml:"reports"`
			} `yaml:"artifacts"`
		} `yaml:"ratecheck"`
	}
	readYAML(t, "../../docs/ci/gitlab-ci.yml", &gl)
	j := gl.Ratecheck
	if !slices.ContainsFunc(j.Script, func(s string) bool { return strings.Contains(s, "docs/ci/ratecheck-ci.sh") }) {
		t.Errorf("gitlab-ci.yml: the job does not run the script: %q", j.Script)
	}
	for _, v := range required {
		if j.Variables[v] == "" {
			t.Errorf("gitlab-ci.yml: the job does not set %s", v)
		}
	}
	if j.Artifacts.When != "always" || j.Artifacts.Reports["junit"] == "" || !slices.ContainsFunc(j.Artifacts.Paths, func(p string) bool { return strings.HasSuffix(p, "report.html") }) {
		t.Errorf("gitlab-ci.yml: artefacts %+v; want JUnit and the HTML report, always", j.Artifacts)
	}
}

func readYAML(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
