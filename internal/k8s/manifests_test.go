package k8s

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"
)

func testOptions() Options {
	return Options{
		Name: "ratecheck-copilot", Scenario: []byte("name: copilot\n"), Shards: 8,
		Image: "registry.example.com/ratecheck:v1", StartAt: time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC),
		Target: "https://staging.example.com", KeysSecret: "copilot-keys",
	}
}

// TestManifestsDecodeStrictly prints the manifests for eight shards and
// decodes every document strictly (unknown or misspelt fields fail) into its
// Kubernetes type; what comes back is what was built.
func TestManifestsDecodeStrictly(t *testing.T) {
	objs, err := Objects(testOptions())
	if err != nil {
		t.Fatal(err)
	}
	y, err := YAML(objs)
	if err != nil {
		t.Fatal(err)
	}
	docs := bytes.Split(y, []byte("\n---\n"))
	if len(docs) != len(objs) {
		t.Fatalf("%d YAML documents for %d objects", len(docs), len(objs))
	}
	for i, doc := range docs {
		var typed runtime.Object
		switch objs[i].(type) {
		case *corev1.ConfigMap:
			typed = &corev1.ConfigMap{}
		case *corev1.PersistentVolumeClaim:
			typed = &corev1.PersistentVolumeClaim{}
		case *batchv1.Job:
			typed = &batchv1.Job{}
		default:
			t.Fatalf("object %d: unexpected type %T", i, objs[i])
		}
		if err := yaml.UnmarshalStrict(doc, typed); err != nil {
			t.Fatalf("document %d does not decode strictly: %v\n%s", i, err, doc)
		}
		if diff := cmp.Diff(objs[i], typed); diff != "" {
			t.Errorf("document %d decodes to something else (-built +decoded):\n%s", i, diff)
		}
	}
}

func TestShardJob(t *testing.T) {
	objs, err := Objects(testOptions())
	if err != nil {
		t.Fatal(err)
	}
	shards, judge := objs[2].(*batchv1.Job), objs[3].(*batchv1.Job)
	s := shards.Spec
	if s.CompletionMode == nil || *s.CompletionMode != batchv1.IndexedCompletion || *s.Completions != 8 || *s.Parallelism != 8 {
		t.Errorf("shard job: mode %v, completions %v, parallelism %v; want Indexed, 8, 8", s.CompletionMode, *s.Completions, *s.Parallelism)
	}
	c := s.Template.Spec.Containers[0]
	args := strings.Join(c.Args, " ")
	for _, want := range []string{"run /scenario/scenario.yaml", "--shard $(JOB_COMPLETION_INDEX)/8", "--start-at 2026-12-05T09:00:00Z", "--target https://staging.example.com", "--out /runs/ratecheck-copilot-20261205t090000z/shard-$(JOB_COMPLETION_INDEX)"} {
		if !strings.Contains(args, want) {
			t.Errorf("shard args %q lack %q", args, want)
		}
	}
	// $(JOB_COMPLETION_INDEX) expands only from a variable the container declares.
	if !slices.ContainsFunc(c.Env, func(e corev1.EnvVar) bool {
		return e.Name == "JOB_COMPLETION_INDEX" && e.ValueFrom != nil && strings.Contains(e.ValueFrom.FieldRef.FieldPath, "job-completion-index")
	}) {
		t.Errorf("shard container does not declare JOB_COMPLETION_INDEX from the completion index annotation: %+v", c.Env)
	}
	if len(c.EnvFrom) != 1 || c.EnvFrom[0].SecretRef.Name != "copilot-keys" {
		t.Errorf("shard keys come from %+v, want the secret copilot-keys", c.EnvFrom)
	}
	if sc := c.SecurityContext; sc == nil || !*sc.RunAsNonRoot || !*sc.ReadOnlyRootFilesystem || *sc.AllowPrivilegeEscalation {
		t.Errorf("shard container is not locked down: %+v", sc)
	}
	// The judge reads every shard's directory, waits for them, and writes the reports.
	jargs := strings.Join(judge.Spec.Template.Spec.Containers[0].Args, " ")
	for i := range 8 {
		if want := "/runs/ratecheck-copilot-20261205t090000z/shard-" + string(rune('0'+i)); !strings.Contains(jargs, want) {
			t.Errorf("judge args lack shard %d's directory %s: %s", i, want, jargs)
		}
	}
	for _, want := range []string{"report ", "--wait 30m0s", "--junit /runs/ratecheck-copilot-20261205t090000z/junit.xml"} {
		if !strings.Contains(jargs, want) {
			t.Errorf("judge args %q lack %q", jargs, want)
		}
	}
	if len(judge.Spec.Template.Spec.Containers[0].EnvFrom) != 0 {
		t.Errorf("the judge gets the keys; it sends nothing and needs none")
	}
}

func TestOptionsRefused(t *testing.T) {
	for _, tc := range []struct {
		mod  func(*Options)
		want string
	}{
		{func(o *Options) { o.Name = "Bad_Name" }, "name"},
		{func(o *Options) { o.Shards = 0 }, "shards"},
		{func(o *Options) { o.Image = "" }, "image"},
		{func(o *Options) { o.Storage = "lots" }, "storage"},
		{func(o *Options) { o.StartAt = time.Time{} }, "start time"},
	} {
		o := testOptions()
		tc.mod(&o)
		if _, err := Objects(o); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Objects = %v, want an error about %s", err, tc.want)
		}
	}
}

func TestName(t *testing.T) {
	for in, want := range map[string]string{
		"copilot":                    "ratecheck-copilot",
		"Bot Platform (v2)":          "ratecheck-bot-platform-v2",
		"ratecheck-self":             "ratecheck-self",
		"!!!":                        "ratecheck",
		strings.Repeat("abcdefg", 9): "ratecheck-abcdefgabcdefgabcdefgabcdefgab",
	} {
		got := Name(in)
		if got != want || !validName(got) {
			t.Errorf("Name(%q) = %q (valid %v), want %q", in, got, validName(got), want)
		}
	}
}
