package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Load reads and validates the scenario file at path. Problems in the file are
// returned together as an ErrorList; a file that cannot be read gives a plain error.
func Load(path string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("scenarios: load: %w", err)
	}
	return Parse(path, data)
}

// Parse decodes and validates a scenario from data; file is used in positions.
// It reports every problem it finds in one ErrorList, sorted by line and column,
// and returns a nil Scenario when there is any.
func Parse(file string, data []byte) (*Scenario, error) {
	root, errs := parseYAML(file, data)
	if errs != nil {
		return nil, errs
	}
	d := &decoder{file: file}
	sc := d.scenario(root)
	if len(d.errs) > 0 {
		d.errs.sort()
		return nil, d.errs
	}
	sc.File = file
	sc.Raw = bytes.Clone(data)
	return sc, nil
}

// yamlLine finds the line number in a yaml.v3 syntax error message.
var yamlLine = regexp.MustCompile(`^line (\d+): `)

// parseYAML parses data into the node of its single document.
func parseYAML(file string, data []byte) (root *yaml.Node, errs ErrorList) {
	top := Position{File: file, Line: 1, Col: 1}
	defer func() {
		// yaml.v3 has panicked on malformed input in the past; a bad file must never crash a run.
		if r := recover(); r != nil {
			root, errs = nil, ErrorList{{Pos: top, Msg: fmt.Sprintf("invalid YAML: %v", r)}}
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, ErrorList{{Pos: top, Msg: "the file is empty (want a mapping with name, target, endpoints and limits)"}}
		}
		return nil, ErrorList{syntaxError(file, data, err)}
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		pos := Position{File: file, Line: max(next.Line, 1), Col: 1}
		return nil, ErrorList{{Pos: pos, Msg: "a second YAML document: a scenario file holds exactly one"}}
	case !errors.Is(err, io.EOF):
		return nil, ErrorList{syntaxError(file, data, err)}
	}
	if len(doc.Content) == 0 || isNull(doc.Content[0]) {
		return nil, ErrorList{{Pos: top, Msg: "the file is empty (want a mapping with name, target, endpoints and limits)"}}
	}
	return doc.Content[0], nil
}

// syntaxError turns a yaml.v3 error ("yaml: line 3: did not find expected key")
// into an *Error at the line of the problem, column 1 (yaml.v3 reports no columns).
func syntaxError(file string, data []byte, err error) *Error {
	line, msg := splitYAMLError(err)
	line = problemLine(data, line, msg)
	return &Error{Pos: Position{File: file, Line: line, Col: 1}, Msg: "invalid YAML: " + msg}
}

// splitYAMLError splits a yaml.v3 error into its line (1 when it has none) and message.
func splitYAMLError(err error) (int, string) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 1
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		if n, err := strconv.Atoi(m[1]); err == nil && n > 0 {
			line = n
		}
		msg = msg[len(m[0]):]
	}
	return line, msg
}

// rescanBytes bounds the bytes problemLine parses in all, so that a large
// broken file costs a few milliseconds more, not seconds.
const rescanBytes = 1 << 20

// problemLine finds the line a syntax error is on. yaml.v3 reports the line
// where the enclosing construct starts ("did not find expected '-' indicator" at
// the list, not at the badly indented line) or the end of the file (for an
// unclosed quote), so the first line at which a prefix of the file fails with
// the same message is taken as the problem's line. Blank and comment lines are
// skipped; when the budget runs out the reported line stands.
func problemLine(data []byte, reported int, msg string) int {
	lines := bytes.SplitAfter(data, []byte("\n"))
	budget := rescanBytes
	size := 0
	for k, line := range lines {
		size += len(line)
		if t := bytes.TrimSpace(line); len(t) == 0 || t[0] == '#' {
			continue
		}
		if budget -= size; budget < 0 {
			break
		}
		_, err := parseNode(data[:size])
		if err == nil {
			continue
		}
		if _, m := splitYAMLError(err); m == msg {
			return k + 1
		}
	}
	return reported
}

// parseNode parses the first document of data, turning a panic into an error.
func parseNode(data []byte) (doc *yaml.Node, err error) {
	defer func() {
		// yaml.v3 has panicked on malformed input in the past; a bad file must never crash a run.
		if r := recover(); r != nil {
			doc, err = nil, fmt.Errorf("%v", r)
		}
	}()
	doc = new(yaml.Node)
	err = yaml.NewDecoder(bytes.NewReader(data)).Decode(doc)
	return doc, err
}
