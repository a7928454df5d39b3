package report_test

import (
	"fmt"
	"html"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/report"
	"github.com/ratecheck/ratecheck/results"
)

func TestWriteHTMLSelfContained(t *testing.T) {
	for _, tc := range reports {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.r()
			page := string(render(t, report.WriteHTML, r))
			// The only URL allowed is the target, as the text of its field and
			// where the title and heading name the target judged.
			field := `<dd class="fact-target">` + html.EscapeString(r.Target)
			named := " against " + html.EscapeString(results.TargetName(r.Target, r.BuiltinTarget)) + "</"
			rest := strings.ReplaceAll(strings.ReplaceAll(page, field, ""), named, "")
			if n := strings.Count(page, named); n != 2 {
				t.Errorf("WriteHTML names the target judged %d times as %q; want 2 (title and heading)", n, named)
			}
			for _, scheme := range []string{"http://", "https://", "//"} {
				if i := strings.Index(rest, scheme); i >= 0 {
					t.Errorf("WriteHTML has %q outside the target field: %q", scheme, rest[max(0, i-60):min(len(rest), i+40)])
				}
			}
			// Links within the page (a violation's mark to its evidence row) are
			// fragments; no other href is allowed.
			inPage := regexp.MustCompile(`href="#ev-\d+-\d+"`)
			for _, bad := range []string{"<script", "<link", "<img", "<iframe", "src=", "href=", "url(", "@import"} {
				if strings.Contains(strings.ToLower(inPage.ReplaceAllString(page, "")), bad) {
					t.Errorf("WriteHTML output contains %q", bad)
				}
			}
			if !strings.Contains(page, field) {
				t.Errorf("WriteHTML output lacks the target field %q", field)
			}
		})
	}
}

func TestWriteHTMLEscapes(t *testing.T) {
	page := string(render(t, report.WriteHTML, failingReport()))
	for _, want := range []string{"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp;", "admitted #22 &lt;b&gt;bold&lt;/b&gt;"} {
		if !strings.Contains(page, want) {
			t.Errorf("WriteHTML output lacks escaped text %q", want)
		}
	}
	if strings.Contains(page, "<b>bold") {
		t.Errorf("WriteHTML output has an unescaped <b> from a note")
	}
}

func TestWriteHTMLWellFormed(t *testing.T) {
	for _, tc := range reports {
		t.Run(tc.name, func(t *testing.T) {
			if err := wellFormed(string(render(t, report.WriteHTML, tc.r()))); err != nil {
				t.Errorf("WriteHTML output is not well formed: %v", err)
			}
		})
	}
}

func TestWriteHTMLVerdictAndOrder(t *testing.T) {
	tests := []struct {
		name    string
		r       *report.Report
		banner  string
		ordered []string // check rows in the order they must appear
	}{
		{"failing", failingReport(), `<header class="banner fail">`,
			[]string{"limit.enforced", "headers.retry-after", "limit.no-early-reject", "limit.status", "headers.reset", "quota.monthly"}},
		{"passing", passingReport(), `<header class="banner pass">`,
			[]string{"limit.enforced", "timing.onset", "body.error-format"}},
		{"no verdict", &report.Report{}, `<header class="banner unknown">`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := string(render(t, report.WriteHTML, tt.r))
			if !strings.Contains(page, tt.banner) {
				t.Errorf("WriteHTML lacks banner %q", tt.banner)
			}
			rows := regexp.MustCompile(`<tr class="check \w+">.*?<code>([^<]*)</code>`).FindAllStringSubmatch(page, -1)
			var got []string
			for _, m := range rows {
				got = append(got, m[1])
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.ordered) {
				t.Errorf("check rows = %v; want %v", got, tt.ordered)
			}
		})
	}
}

func TestWriteHTMLEvidenceOpenForFailures(t *testing.T) {
	r := failingReport()
	r.Checks = append(r.Checks, check.Result{ID: check.HeadersLimit, Status: check.Pass,
		Message: "ok", Evidence: &check.Evidence{Expected: "context for a pass"}})
	page := string(render(t, report.WriteHTML, r))
	if got, want := strings.Count(page, "<details open>"), 2; got != want {
		t.Errorf("WriteHTML has %d <details open>; want %d (one per failed check)", got, want)
	}
	if got, want := strings.Count(page, "<details>"), 1; got != want {
		t.Errorf("WriteHTML has %d closed <details>; want %d (the passing check's)", got, want)
	}
}

// voidElements have no end tag in HTML.
var voidElements = map[string]bool{"meta": true, "br": true, "hr": true, "img": true, "input": true, "link": true, "wbr": true}

var (
	tagRE    = regexp.MustCompile(`<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z][a-zA-Z0-9:-]*(?:="[^"<>]*")?)*)\s*(/?)>`)
	entityRE = regexp.MustCompile(`&(#[0-9]+|#x[0-9a-fA-F]+|[a-zA-Z]+);`)
)

// wellFormed is a small stand-in for an HTML parser: after the doctype, every
// '<' must start a tag with quoted attributes, every element but the void ones
// must be closed in order, and every '&' must start an entity.
func wellFormed(page string) error {
	page, ok := strings.CutPrefix(page, "<!DOCTYPE html>\n")
	if !ok {
		return fmt.Errorf("no <!DOCTYPE html>")
	}
	if n := strings.Count(page, "&") - len(entityRE.FindAllString(page, -1)); n != 0 {
		return fmt.Errorf("%d bare '&'", n)
	}
	var stack []string
	pos := 0
	for _, m := range tagRE.FindAllStringSubmatchIndex(page, -1) {
		if strings.Contains(page[pos:m[0]], "<") && !inStyle(stack) {
			return fmt.Errorf("stray '<' near %q", page[pos:m[0]])
		}
		pos = m[1]
		closing, name, selfClosing := page[m[2]:m[3]] == "/", page[m[4]:m[5]], page[m[8]:m[9]] == "/"
		switch {
		case closing:
			if len(stack) == 0 || stack[len(stack)-1] != name {
				return fmt.Errorf("</%s> closes %v", name, stack)
			}
			stack = stack[:len(stack)-1]
		case !selfClosing && !voidElements[name]:
			stack = append(stack, name)
		}
	}
	if len(stack) != 0 {
		return fmt.Errorf("unclosed elements %v", stack)
	}
	return nil
}

// inStyle reports whether the innermost open element is <style>, whose CSS may hold '>'.
func inStyle(stack []string) bool { return len(stack) > 0 && stack[len(stack)-1] == "style" }

func TestWellFormedDetects(t *testing.T) {
	bad := map[string]string{
		"no doctype":    "<html></html>",
		"unclosed":      "<!DOCTYPE html>\n<html><body><p>x</body></html>",
		"misnested":     "<!DOCTYPE html>\n<html><b><i>x</b></i></html>",
		"bare amp":      "<!DOCTYPE html>\n<p>a & b</p>",
		"raw lt":        "<!DOCTYPE html>\n<p>a < b</p>",
		"unquoted attr": "<!DOCTYPE html>\n<p class=x>a</p>",
	}
	for name, page := range bad {
		if wellFormed(page) == nil {
			t.Errorf("wellFormed(%s: %q) = nil; want an error", name, page)
		}
	}
	if err := wellFormed("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><style>a > b {}</style></head><body><svg><rect x=\"1\"/></svg>&amp;&#34;</body></html>"); err != nil {
		t.Errorf("wellFormed(good page) = %v; want nil", err)
	}
}

// TestWriteHTMLDrawsTheContract checks the timeline of a failing run: the
// tested limit as a line, the limit whose window outlasts the run named as
// not drawn there and drawn in the use of each limit, and every request of a failure's evidence marked and linked to
// its row.
func TestWriteHTMLDrawsTheContract(t *testing.T) {
	page := string(render(t, report.WriteHTML, failingReport()))
	for _, want := range []string{
		`<g class="limit"><title>limit per-second: 20 per 1s`,
		`Not drawn, their windows are longer than the run: monthly (their use is drawn below, under Use of each limit).`,
		`<section class="chart" id="use">`,
		`<g class="lat l0"><title>monthly: `,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the HTML lacks %q", want)
		}
	}
	r := failingReport()
	for _, c := range r.Checks {
		if c.Status != "fail" {
			continue
		}
		for _, q := range c.Evidence.Requests {
			mark := regexp.MustCompile(`<a class="violation" href="#(ev-\d+-` + strconv.FormatUint(q.Seq, 10) + `)"><title>#` + strconv.FormatUint(q.Seq, 10) + ` ` + regexp.QuoteMeta(string(c.ID)))
			m := mark.FindStringSubmatch(page)
			if m == nil {
				t.Errorf("request #%d of %s is not marked on the timeline", q.Seq, c.ID)
				continue
			}
			if !strings.Contains(page, `<tr id="`+m[1]+`">`) {
				t.Errorf("the mark of #%d links to %s, which no evidence row has", q.Seq, m[1])
			}
		}
	}
}
