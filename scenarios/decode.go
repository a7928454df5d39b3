package scenarios

import (
	"net/url"
	"regexp"

	"go.yaml.in/yaml/v3"
)

// scenarioFields are the top-level fields of a scenario file.
var scenarioFields = []string{
	"name", "source", "description", "target", "plan", "auth",
	"endpoints", "limits", "headers", "errors", "phases", "run",
}

// validName is the form of a scenario name: it names run directories and reports.
var validName = regexp.MustCompile(`^[a-z0-9-]+$`)

// scenario decodes the whole file. Sections are read in dependency order
// (endpoints before the limits that name them), whatever their order in the file.
func (d *decoder) scenario(root *yaml.Node) *Scenario {
	f, ok := d.mapping(root, "", scenarioFields)
	if !ok {
		return nil
	}
	sc := &Scenario{}
	sc.Name = d.name(f)
	sc.Source, _ = f.str("source")
	sc.Description, _ = f.str("description")
	sc.Target = d.target(f)
	sc.Auth = d.auth(f)
	sc.Endpoints = d.endpoints(f, sc.Auth)
	sc.Plan, _ = f.str("plan")
	sc.Limits = d.limits(f, sc)
	d.checkPlan(f, sc)
	sc.Headers = d.headers(f, sc.Limits)
	sc.Errors = d.errorShapes(f)
	sc.Phases = d.phases(f, sc)
	sc.Run = d.run(f)
	return sc
}

// name reads the scenario name.
func (d *decoder) name(f *fields) string {
	s, ok := f.required("name", "a name such as copilot")
	if ok && !validName.MatchString(s) {
		d.errorf(f.value("name"), f.at("name"), "%q is not a valid name (want lower-case letters, digits and dashes, e.g. copilot)", s)
	}
	return s
}

// target reads the base URL of the API. It is optional: a scenario without one
// runs against the built-in reference target.
func (d *decoder) target(f *fields) string {
	if !f.has("target") {
		return ""
	}
	s, ok := f.required("target", "the API's base URL, e.g. https://api.example.com")
	if !ok {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		d.errorf(f.value("target"), f.at("target"), "%q is not an http or https URL (want e.g. https://api.example.com)", s)
	}
	return s
}

// endpointNames lists the endpoint names, for messages.
func endpointNames(eps []Endpoint) []string {
	names := make([]string, len(eps))
	for i, e := range eps {
		names[i] = e.Name
	}
	return names
}
