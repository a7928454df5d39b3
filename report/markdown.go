package report

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// WriteMarkdown writes r as GitHub-flavoured Markdown for a pull-request comment
// or a job summary: a verdict line (**PASS** or **FAIL**), the run's facts, the
// checks with failures first, each failure's evidence in a <details> block, the
// phases and the totals. Text from the report is escaped, so it cannot open
// HTML tags, links or emphasis, or break a table.
func WriteMarkdown(w io.Writer, r *Report) error {
	if r == nil {
		return fmt.Errorf("report: write markdown: %w", errNilReport)
	}
	var buf bytes.Buffer
	if err := mdTmpl.Execute(&buf, newView(r)); err != nil {
		return fmt.Errorf("report: write markdown: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("report: write markdown: %w", err)
	}
	return nil
}

// mdEscaper escapes what Markdown or the HTML inside it would interpret: HTML
// special characters as entities, Markdown punctuation with a backslash, and
// the table cell separator.
var mdEscaper = strings.NewReplacer(
	"&", "&amp;", "<", "&lt;", ">", "&gt;",
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`,
	"|", `\|`, "~", `\~`,
)

// mdBlockStart matches what would open a block (heading, list, quote, rule) at
// the start of a line or list item.
var mdBlockStart = regexp.MustCompile(`^(#|[-+=]|\d+[.)])`)

// mdText makes s safe as inline Markdown text on one line (table cells, list
// items): it folds line breaks into spaces and escapes.
func mdText(s string) string {
	s = mdEscaper.Replace(printable(s))
	if m := mdBlockStart.FindStringIndex(s); m != nil {
		s = s[:m[1]-1] + `\` + s[m[1]-1:]
	}
	return s
}

// mdAutolink matches what GitHub's Markdown turns into a link by itself:
// a scheme's "://" and a "www." at the start of a word.
var mdAutolink = strings.NewReplacer("://", `:\/\/`, "www.", `www\.`, "WWW.", `WWW\.`)

// mdQuoted is mdText for text that quotes what a target sent (check
// messages, evidence notes and headers): URLs in it must not become links.
func mdQuoted(s string) string {
	return mdAutolink.Replace(mdText(s))
}

// mdQuotedCells is mdCells for quoted text.
func mdQuotedCells(lines []string) string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = mdQuoted(l)
	}
	return strings.Join(out, "<br>")
}

// mdHTMLEscaper escapes text placed inside raw HTML such as <summary>, where
// Markdown does not apply.
var mdHTMLEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;")

// mdHTML makes s safe inside an HTML element of the Markdown, on one line.
func mdHTML(s string) string {
	return mdHTMLEscaper.Replace(oneLine(s))
}

// mdCells escapes each line and joins them with <br>, for a list in one cell.
func mdCells(lines []string) string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = mdText(l)
	}
	return strings.Join(out, "<br>")
}

// mdCode is s as an inline code span that is safe in a table cell: backticks
// become quotes and the cell separator is escaped (GitHub requires that even
// inside code).
func mdCode(s string) string {
	s = strings.ReplaceAll(oneLine(s), "`", "'")
	return "`" + strings.ReplaceAll(s, "|", `\|`) + "`"
}
