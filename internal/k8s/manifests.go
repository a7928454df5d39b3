// Package k8s builds the Kubernetes manifests of a sharded run: the scenario
// as a ConfigMap, a volume the shards write their run directories to, an
// Indexed Job whose pods are the shards (the completion index is the shard
// number), and a Job that waits for every shard and judges them as one run.
// The objects are the Kubernetes API's own types, so what is printed is
// valid by construction.
package k8s

import (
	"bytes"
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"
)

// Options describe the sharded run to print.
type Options struct {
	Name     string // base name of every object: lowercase letters, digits and '-'
	Scenario []byte // the scenario file's bytes
	Shards   int
	Image    string
	StartAt  time.Time // shared start of the shards
	Target   string    // --target for every shard; "" keeps the scenario's target:
	// KeysSecret names the Secret whose entries become the shards'
	// environment (the scenario's key variables; VAR_SHARD_<i> for a key of
	// shard i alone). "" sends no keys.
	KeysSecret string
	// Storage is the size of the ReadWriteMany volume the run directories go
	// to; StorageClass picks its class ("" for the cluster's default).
	Storage      string
	StorageClass string
	// Wait bounds how long the judging Job waits for the shards to finish.
	Wait time.Duration
	// Extra are further flags for every shard's `ratecheck run` (e.g. --plan).
	Extra []string
}

const (
	scenarioDir  = "/scenario"
	scenarioFile = "scenario.yaml"
	runsDir      = "/runs"
	indexEnv     = "JOB_COMPLETION_INDEX"
	indexAnno    = "metadata.annotations['batch.kubernetes.io/job-completion-index']"
)

// Objects returns the manifests' objects in the order they must be applied.
func Objects(o Options) ([]runtime.Object, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	run := o.Name + "-" + o.StartAt.UTC().Format("20060102t150405z")
	return []runtime.Object{o.configMap(), o.volume(), o.shardJob(run), o.judgeJob(run)}, nil
}

// YAML renders the objects as one multi-document YAML stream.
func YAML(objs []runtime.Object) ([]byte, error) {
	var b bytes.Buffer
	for i, obj := range objs {
		y, err := yaml.Marshal(obj)
		if err != nil {
			return nil, fmt.Errorf("k8s: encode %T: %w", obj, err)
		}
		if i > 0 {
			b.WriteString("---\n")
		}
		b.Write(y)
	}
	return b.Bytes(), nil
}

func (o Options) validate() error {
	switch {
	case !validName(o.Name):
		return fmt.Errorf("k8s: name %q: want at most 40 lowercase letters, digits and '-', starting with a letter", o.Name)
	case o.Shards < 1 || o.Shards > 1024:
		return fmt.Errorf("k8s: %d shards: want 1 to 1024", o.Shards)
	case o.Image == "":
		return fmt.Errorf("k8s: no image: give the image that holds the ratecheck binary")
	case o.StartAt.IsZero():
		return fmt.Errorf("k8s: no start time")
	}
	if _, err := resource.ParseQuantity(o.storage()); err != nil {
		return fmt.Errorf("k8s: storage %q: %w", o.Storage, err)
	}
	return nil
}

// validName accepts a DNS-1123 label short enough for the suffixes added.
func validName(s string) bool {
	if s == "" || len(s) > 40 || s[0] < 'a' || s[0] > 'z' || s[len(s)-1] == '-' {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

func (o Options) storage() string {
	if o.Storage == "" {
		return "1Gi"
	}
	return o.Storage
}

func (o Options) meta(name, role string) metav1.ObjectMeta {
	return metav1.ObjectMeta{
		Name: name,
		Labels: map[string]string{
			"app.kubernetes.io/name":      "ratecheck",
			"app.kubernetes.io/instance":  o.Name,
			"app.kubernetes.io/component": role,
		},
	}
}

func (o Options) configMap() *corev1.ConfigMap {
	return &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: o.meta(o.Name+"-scenario", "scenario"),
		Data:       map[string]string{scenarioFile: string(o.Scenario)},
	}
}

func (o Options) volume() *corev1.PersistentVolumeClaim {
	pvc := &corev1.PersistentVolumeClaim{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "PersistentVolumeClaim"},
		ObjectMeta: o.meta(o.Name+"-runs", "runs"),
		Spec: corev1.PersistentVolumeClaimSpec{
			// Every shard pod and the judging pod mount it at once, maybe on
			// different nodes.
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteMany},
			Resources: corev1.VolumeResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(o.storage())},
			},
		},
	}
	if o.StorageClass != "" {
		pvc.Spec.StorageClassName = &o.StorageClass
	}
	return pvc
}

// shardDir is shard i's run directory on the volume; "$(JOB_COMPLETION_INDEX)"
// as i lets Kubernetes put in each pod's own index.
func shardDir(run, i string) string { return path.Join(runsDir, run, "shard-"+i) }

func (o Options) shardJob(run string) *batchv1.Job {
	args := []string{"run", path.Join(scenarioDir, scenarioFile),
		"--shard", "$(" + indexEnv + ")/" + strconv.Itoa(o.Shards),
		"--start-at", o.StartAt.UTC().Format(time.RFC3339),
		"--out", shardDir(run, "$("+indexEnv+")"),
		"--no-tui"}
	if o.Target != "" {
		args = append(args, "--target", o.Target)
	}
	args = append(args, o.Extra...)
	c := o.container("shard", args)
	// The Job controller sets the index as an annotation; naming it here
	// makes $(JOB_COMPLETION_INDEX) in the arguments expand on every version.
	c.Env = append(c.Env, corev1.EnvVar{Name: indexEnv, ValueFrom: &corev1.EnvVarSource{
		FieldRef: &corev1.ObjectFieldSelector{FieldPath: indexAnno},
	}})
	n := int32(o.Shards)
	indexed := batchv1.IndexedCompletion
	never := int32(0)
	job := &batchv1.Job{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
		ObjectMeta: o.meta(o.Name+"-shards", "shard"),
		Spec: batchv1.JobSpec{
			CompletionMode: &indexed,
			Completions:    &n,
			Parallelism:    &n, // every shard at once: they share the start time
			// A shard retried after the start time would send its slice late
			// (ratecheck refuses to): a failed shard is a failed run.
			BackoffLimit: &never,
			Template:     o.podTemplate("shard", c),
		},
	}
	return job
}

func (o Options) judgeJob(run string) *batchv1.Job {
	args := []string{"report"}
	for i := range o.Shards {
		args = append(args, shardDir(run, strconv.Itoa(i)))
	}
	wait := o.Wait
	if wait <= 0 {
		wait = 30 * time.Minute
	}
	out := path.Join(runsDir, run)
	args = append(args, "--wait", wait.String(),
		"--json", path.Join(out, "report.json"),
		"--html", path.Join(out, "report.html"),
		"--junit", path.Join(out, "junit.xml"),
		"--md", path.Join(out, "summary.md"))
	never := int32(0)
	return &batchv1.Job{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
		ObjectMeta: o.meta(o.Name+"-judge", "judge"),
		Spec: batchv1.JobSpec{
			BackoffLimit: &never,
			Template:     o.podTemplate("judge", o.container("judge", args)),
		},
	}
}

func (o Options) container(role string, args []string) corev1.Container {
	no, yes := false, true
	c := corev1.Container{
		Name:  role,
		Image: o.Image,
		Args:  args,
		Env:   []corev1.EnvVar{{Name: "CI", Value: "true"}},
		VolumeMounts: []corev1.VolumeMount{
			{Name: "scenario", MountPath: scenarioDir, ReadOnly: true},
			{Name: "runs", MountPath: runsDir},
		},
		Resources: corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1"), corev1.ResourceMemory: resource.MustParse("128Mi")},
			Limits:   corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("1Gi")},
		},
		SecurityContext: &corev1.SecurityContext{
			RunAsNonRoot:             &yes,
			ReadOnlyRootFilesystem:   &yes,
			AllowPrivilegeEscalation: &no,
			Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
			SeccompProfile:           &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
		},
	}
	if o.KeysSecret != "" && role == "shard" {
		c.EnvFrom = []corev1.EnvFromSource{{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: o.KeysSecret}}}}
	}
	return c
}

func (o Options) podTemplate(role string, c corev1.Container) corev1.PodTemplateSpec {
	uid := int64(65532) // distroless's nonroot user
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: o.meta("", role).Labels},
		Spec: corev1.PodSpec{
			RestartPolicy:   corev1.RestartPolicyNever,
			SecurityContext: &corev1.PodSecurityContext{RunAsUser: &uid, RunAsGroup: &uid, FSGroup: &uid},
			Containers:      []corev1.Container{c},
			Volumes: []corev1.Volume{
				{Name: "scenario", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
					LocalObjectReference: corev1.LocalObjectReference{Name: o.Name + "-scenario"},
				}}},
				{Name: "runs", VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{
					ClaimName: o.Name + "-runs",
				}}},
			},
		},
	}
}

// Name derives an object name from a scenario name: lowercase, with every
// run of other characters as one '-', cut to fit.
func Name(scenario string) string {
	var b strings.Builder
	dash := true
	for _, r := range strings.ToLower(scenario) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			dash = false
		} else if !dash {
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.TrimPrefix(strings.Trim(b.String(), "-"), "ratecheck-")
	if len(s) > 30 {
		s = strings.TrimRight(s[:30], "-")
	}
	if s == "" {
		return "ratecheck"
	}
	return "ratecheck-" + s
}
