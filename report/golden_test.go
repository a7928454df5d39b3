package report_test

import (
	"bytes"
	"io"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/ratecheck/ratecheck/report"
)

// writers are the four formats, by the name of their golden test.
var writers = []struct {
	name  string
	write func(io.Writer, *report.Report) error
}{
	{"WriteJSON", report.WriteJSON},
	{"WriteHTML", report.WriteHTML},
	{"WriteJUnit", report.WriteJUnit},
	{"WriteMarkdown", report.WriteMarkdown},
}

// render writes r with write and fails the test on error.
func render(t *testing.T, write func(io.Writer, *report.Report) error, r *report.Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := write(&buf, r); err != nil {
		t.Fatalf("write: %v", err)
	}
	return buf.Bytes()
}

func TestWriteJSON(t *testing.T)     { testGolden(t, report.WriteJSON) }
func TestWriteHTML(t *testing.T)     { testGolden(t, report.WriteHTML) }
func TestWriteJUnit(t *testing.T)    { testGolden(t, report.WriteJUnit) }
func TestWriteMarkdown(t *testing.T) { testGolden(t, report.WriteMarkdown) }

// testGolden compares each fixture rendered by write with
// testdata/<TestName>/<fixture>.golden, and checks the output is deterministic.
func testGolden(t *testing.T, write func(io.Writer, *report.Report) error) {
	for _, tc := range reports {
		t.Run(tc.name, func(t *testing.T) {
			got := render(t, write, tc.r())
			golden.RequireEqual(t, got)
			if again := render(t, write, tc.r()); !bytes.Equal(got, again) {
				t.Errorf("two renderings of the same report differ")
			}
		})
	}
}

// failingWriter fails every write.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, io.ErrClosedPipe }

func TestWritersReportErrors(t *testing.T) {
	for _, w := range writers {
		t.Run(w.name, func(t *testing.T) {
			if err := w.write(io.Discard, nil); err == nil {
				t.Errorf("%s(w, nil) = nil; want an error", w.name)
			}
			if err := w.write(failingWriter{}, failingReport()); err == nil {
				t.Errorf("%s(failingWriter, r) = nil; want an error", w.name)
			}
		})
	}
}

func TestWritersHandleEmptyReport(t *testing.T) {
	for _, w := range writers {
		t.Run(w.name, func(t *testing.T) {
			if err := w.write(io.Discard, &report.Report{}); err != nil {
				t.Errorf("%s(w, &Report{}) = %v; want nil", w.name, err)
			}
		})
	}
}
