package report

import (
	"bytes"
	"fmt"
	"io"
)

// WriteHTML writes r as one self-contained HTML page: inline CSS and an inline
// SVG chart, no scripts and no external references, readable at 1280 px and
// printable. A banner gives the verdict; failing checks come first with their
// evidence expanded. Every value is escaped by html/template.
func WriteHTML(w io.Writer, r *Report) error {
	if r == nil {
		return fmt.Errorf("report: write html: %w", errNilReport)
	}
	var buf bytes.Buffer
	if err := htmlTmpl.Execute(&buf, newView(r)); err != nil {
		return fmt.Errorf("report: write html: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("report: write html: %w", err)
	}
	return nil
}
