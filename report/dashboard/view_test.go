package dashboard

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/ratecheck/ratecheck/conformance/check"
)

// show returns the model after it has taken frame f at the given size.
func show(t *testing.T, f Frame, width, height int) model {
	t.Helper()
	m := newModel(nil, nil)
	m = update(t, m, tea.WindowSizeMsg{Width: width, Height: height})
	return update(t, m, frameMsg(f))
}

// update feeds msg to m and returns the new model.
func update(t *testing.T, m model, msg tea.Msg) model {
	t.Helper()
	next, _ := m.Update(msg)
	got, ok := next.(model)
	if !ok {
		t.Fatalf("Update(%T) returned a %T; want model", msg, next)
	}
	return got
}

func TestViewGolden(t *testing.T) {
	frames := []struct {
		name  string
		frame Frame
	}{
		{"running", runningFrame()},
		{"running-fail", runningFailFrame()},
		{"done-pass", donePassFrame()},
		{"done-fail", doneFailFrame()},
		{"running-remaining", withRemaining(runningFrame())},
		{"done-remaining", withRemaining(doneFailFrame())},
		{"running-contract", contractFrame()},
	}
	for _, size := range [][2]int{{80, 24}, {120, 40}, {160, 48}} {
		for _, fr := range frames {
			t.Run(fmt.Sprintf("%s_%dx%d", fr.name, size[0], size[1]), func(t *testing.T) {
				golden.RequireEqual(t, show(t, fr.frame, size[0], size[1]).View())
			})
		}
	}
}

func TestViewBeforeFirstFrame(t *testing.T) {
	m := update(t, newModel(nil, nil), tea.WindowSizeMsg{Width: 80, Height: 24})
	golden.RequireEqual(t, m.View())
}

func TestViewHelp(t *testing.T) {
	m := show(t, runningFrame(), 80, 24)
	m = update(t, m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("?")})
	golden.RequireEqual(t, m.View())
}

func TestViewShowsAFailureWhenChecksGetOneRow(t *testing.T) {
	view := show(t, doneFailFrame(), 40, 10).View()
	if !strings.Contains(view, "✗ limit.enforced") {
		t.Errorf("View() at 40x10 =\n%s\nwant the first failing check listed", view)
	}
}

func TestViewKeepsTheLastLineEmpty(t *testing.T) {
	// bubbletea erases the cursor's line on exit; the verdict must not be on it.
	for _, size := range [][2]int{{80, 24}, {120, 40}, {20, 5}} {
		view := show(t, doneFailFrame(), size[0], size[1]).View()
		lines := strings.Split(view, "\n")
		if last := lines[len(lines)-1]; last != "" {
			t.Errorf("View() at %dx%d ends with %q; want an empty line", size[0], size[1], last)
		}
		if verdict := lines[len(lines)-2]; !strings.HasPrefix(verdict, "✗ FAIL") {
			t.Errorf("View() at %dx%d: the line before the empty last one is %q; want the verdict", size[0], size[1], verdict)
		}
	}
}

func TestViewStopping(t *testing.T) {
	m := show(t, runningFrame(), 80, 24)
	m = update(t, m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")})
	got := m.View()
	if want := "stopping the run · reports will still be written"; !strings.Contains(got, want) {
		t.Errorf("View() after q = \n%s\nwant it to contain %q", got, want)
	}
}

// oddFrames are frames a buggy or early run might send.
func oddFrames() map[string]Frame {
	many := runningFrame()
	for i := range 40 {
		many.Checks = append(many.Checks, check.Result{
			ID: check.ID(fmt.Sprintf("quota.check-with-a-very-long-name-%d", i)), Limit: fmt.Sprintf("limit-%d", i%3),
			Status: check.Fail, Message: strings.Repeat("long message ", 20)})
	}
	many.Notes = []string{"one", "two", "three", "four", "five", "six"}
	long := runningFrame()
	long.Elapsed, long.Total = 90_000_000_000_000, 80_000_000_000_000 // past the planned end
	long.Metrics.Recent = recent(3000)
	return map[string]Frame{
		"zero":             {},
		"no phases":        {Current: 3, Elapsed: -5, Total: -1},
		"current too high": func() Frame { f := runningFrame(); f.Current = 99; return f }(),
		"pause":            func() Frame { f := runningFrame(); f.Current = 3; return f }(),
		"nil maps":         func() Frame { f := runningFrame(); f.Metrics.Statuses, f.Metrics.Phases = nil, nil; return f }(),
		"many checks":      many,
		"long run":         long,
		"done no verdict":  func() Frame { f := donePassFrame(); f.Verdict = ""; return f }(),
	}
}

func TestViewFitsAnySize(t *testing.T) {
	frames := oddFrames()
	frames["running"], frames["done-fail"] = runningFrame(), doneFailFrame()
	sizes := [][2]int{{0, 0}, {1, 1}, {5, 2}, {20, 5}, {40, 10}, {80, 24}, {120, 40}, {300, 100}, {-3, -3}}
	for name, f := range frames {
		for _, size := range sizes {
			t.Run(fmt.Sprintf("%s_%dx%d", name, size[0], size[1]), func(t *testing.T) {
				view := show(t, f, size[0], size[1]).View()
				w, h := max(size[0], 0), max(size[1], 0)
				if view == "" {
					if w > 0 && h > 0 {
						t.Fatalf("View() at %dx%d is empty", w, h)
					}
					return
				}
				lines := strings.Split(view, "\n")
				if len(lines) > h {
					t.Errorf("View() at %dx%d has %d lines; want at most %d", w, h, len(lines), h)
				}
				for i, l := range lines {
					if got := ansi.StringWidth(l); got > w {
						t.Errorf("View() at %dx%d line %d is %d wide; want at most %d: %q", w, h, i, got, w, l)
					}
				}
			})
		}
	}
}

func TestViewShowsFailuresFirst(t *testing.T) {
	f := donePassFrame()
	f.Verdict = check.Fail
	for i := range 20 {
		f.Checks = append(f.Checks, check.Result{ID: check.ID(fmt.Sprintf("filler.%d", i)), Status: check.Pass})
	}
	f.Checks = append(f.Checks, check.Result{ID: "quota.daily", Status: check.Fail, Message: "the 5001st request of the day was admitted"})
	view := show(t, f, 80, 24).View()
	for _, want := range []string{"✗ quota.daily", "the 5001st request of the day was admitted", "more: ✓", "✗ FAIL"} {
		if !strings.Contains(view, want) {
			t.Errorf("View() with a late failing check =\n%s\nwant it to contain %q", view, want)
		}
	}
}

func TestViewNeverShowsKeys(t *testing.T) {
	secrets := []string{
		"sk_live_4eC39HqLyjWDarjtT1zdp7dc",
		"hunter2pass",
		"0123456789abcdef0123",
		"ghp_16C7e42F292c6912E7710c838347Ae178B4a",
		"s3cr3t-t0ken-value",
		"AbCdEfGhIjKlMnOpQrStUvWx",
	}
	f := runningFrame()
	f.Scenario = "copilot " + secrets[0]
	f.Target = "https://admin:" + secrets[1] + "@api.example.com/v1?api_key=" + secrets[2]
	f.Tested = "Authorization: Bearer " + secrets[3]
	f.Notes = []string{"built-in target: demo key generated", "X-API-KEY: " + secrets[4], "key " + secrets[5]}
	f.Checks = append(f.Checks, check.Result{ID: check.BodyErrorFormat, Status: check.Fail,
		Message: `body was {"error":"bad key","token":"` + secrets[3] + `"}`})
	for _, size := range [][2]int{{80, 24}, {300, 60}} {
		view := show(t, f, size[0], size[1]).View()
		for _, s := range secrets {
			if strings.Contains(view, s) {
				t.Errorf("View() at %dx%d shows %q:\n%s", size[0], size[1], s, view)
			}
		}
		if !strings.Contains(view, "[redacted]") {
			t.Errorf("View() at %dx%d does not say what it hid:\n%s", size[0], size[1], view)
		}
	}
}

func TestViewStripsControlSequences(t *testing.T) {
	f := runningFrame()
	f.Checks[0].Message = "body: \x1b[2J\x1b]0;pwned\x07line\nbreak\r\tend"
	f.Notes = []string{"\x9b31mred"}
	view := show(t, f, 120, 40).View()
	for _, bad := range []string{"\x1b", "\x07", "\r", "\t", "\x9b"} {
		if strings.Contains(view, bad) {
			t.Errorf("View() contains control character %q:\n%q", bad, view)
		}
	}
	if !strings.Contains(view, "line break") {
		t.Errorf("View() lost the text around a newline:\n%s", view)
	}
}

func TestViewNamesAnIncompleteRun(t *testing.T) {
	for _, v := range []check.Status{check.Incomplete, check.Inconclusive} {
		f := donePassFrame()
		f.Verdict = v
		view := show(t, f, 80, 24).View()
		want := strings.ToUpper(string(v))
		if !strings.Contains(view, want) || strings.Contains(view, "PASS") {
			t.Errorf("View() of an %s run =\n%s\nwant %s and never PASS", v, view, want)
		}
	}
}

// TestChartLimitLine checks which line the chart draws for a limit, and that
// tab moves to the next limit.
func TestChartLimitLine(t *testing.T) {
	tests := []struct {
		name  string
		limit LimitLine
		want  []string // in the chart's lines
	}{
		{"per second", LimitLine{Name: "per-second", Requests: 20, Window: time.Second},
			[]string{"per second  25s of the run", "─ per-second: 20 per 1s", "limit 20 ─"}},
		{"under a second, scaled", LimitLine{Name: "burst", Requests: 10, Window: 250 * time.Millisecond},
			[]string{"─ burst: 10 per 250ms (40/s)", "limit 40 ─"}},
		{"a 5 s window, one bar per window", LimitLine{Name: "per-5s", Requests: 60, Window: 5 * time.Second},
			[]string{"per 5s window  25s of the run", "limit 60 ─"}},
		{"too long to draw", LimitLine{Name: "daily", Requests: 5000, Window: 24 * time.Hour},
			[]string{"per second", "daily: 5000 per 24h, too long to draw"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := doneFailFrame()
			f.Limits = []LimitLine{tt.limit}
			f.Metrics.WindowUse = nil
			view := ansi.Strip(show(t, f, 120, 40).View())
			for _, w := range tt.want {
				if !strings.Contains(view, w) {
					t.Errorf("view lacks %q:\n%s", w, view)
				}
			}
		})
	}
}

// TestChartShowsTheUseOfALongWindow checks that a limit too long to draw
// shows how much of it the run used, from Metrics.WindowUse: the gauge full
// at the limit, and past it.
func TestChartShowsTheUseOfALongWindow(t *testing.T) {
	daily := LimitLine{Name: "daily", Requests: 5000, Window: 24 * time.Hour}
	tests := []struct {
		name string
		used int64
		want string
	}{
		{"a quarter", 1358, "daily: 5000 per 24h · used 1,358 of 5,000 (27%) ███░░░░░░░"},
		{"none", 0, "used 0 of 5,000 (0%) ░░░░░░░░░░"},
		{"a little shows", 3, "used 3 of 5,000 (0%) █░░░░░░░░░"},
		{"past the limit", 5100, "used 5,100 of 5,000 (102%) ██████████"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := doneFailFrame()
			f.Limits = []LimitLine{daily}
			f.Metrics.WindowUse = map[time.Duration]int64{24 * time.Hour: tt.used, time.Second: 20}
			view := ansi.Strip(show(t, f, 120, 40).View())
			if !strings.Contains(view, tt.want) {
				t.Errorf("view lacks %q:\n%s", tt.want, view)
			}
			if strings.Contains(view, "too long to draw") {
				t.Errorf("view says the window is too long to draw though its use is known:\n%s", view)
			}
		})
	}
}

func TestChartTabSwitchesLimit(t *testing.T) {
	m := show(t, runningFrame(), 120, 40)
	if v := ansi.Strip(m.View()); !strings.Contains(v, "per-second: 20 per 1s · tab: limit 1/2") {
		t.Fatalf("first view does not draw the tested limit:\n%s", v)
	}
	m = update(t, m, tea.KeyMsg{Type: tea.KeyTab})
	if v := ansi.Strip(m.View()); !strings.Contains(v, "per-minute: 600 per 1m, too long to draw · tab: limit 2/2") {
		t.Errorf("after tab the chart does not name the per-minute limit:\n%s", v)
	}
	m = update(t, m, tea.KeyMsg{Type: tea.KeyTab})
	if v := ansi.Strip(m.View()); !strings.Contains(v, "tab: limit 1/2") {
		t.Errorf("a second tab does not come back to the first limit:\n%s", v)
	}
}

// TestChartMarksOverAdmission checks that a bar over the limit crosses the
// line (┼) and that no other does.
func TestChartMarksOverAdmission(t *testing.T) {
	view := ansi.Strip(show(t, doneFailFrame(), 80, 24).View())
	var line string
	for l := range strings.Lines(view) {
		if strings.HasPrefix(l, "limit 20 ") {
			line = strings.TrimSpace(strings.TrimPrefix(l, "limit 20 "))
		}
	}
	// 25 s in 50 columns: 2 columns a second; second 12 (23 admitted) is columns 24–25.
	want := strings.Repeat("─", 24) + "┼┼" + strings.Repeat("─", 24)
	if line != want {
		t.Errorf("limit line = %q; want %q", line, want)
	}
}

// TestChecksShowFirstEvidence checks that a failing check shows the first
// request of its evidence when there is room, without its headers.
func TestChecksShowFirstEvidence(t *testing.T) {
	view := ansi.Strip(show(t, doneFailFrame(), 160, 48).View())
	if !strings.Contains(view, "└ #261 over +12.512s 200 admitted #21 in the window starting +12.000 s") {
		t.Errorf("the failing check's first evidence is not shown:\n%s", view)
	}
	if strings.Contains(view, "secret") {
		t.Errorf("a header of the evidence reached the screen")
	}
}

// TestViewGroupsContractPhases: a plan ending in twenty short contract
// phases shows them as one "contract" segment, so the derived phases keep
// their labels at 80 columns, and the segment is current while any of its
// phases runs.
func TestViewGroupsContractPhases(t *testing.T) {
	f := runningFrame()
	f.Phases = slices.Clone(testPhases)
	start := 25 * time.Second
	for i := range 20 {
		kind := []string{"pause", "counted", "no-key", "bad-key", "exhaust"}[i%5]
		f.Phases = append(f.Phases, PhaseInfo{Name: kind, Kind: kind, Start: start, Duration: 300 * time.Millisecond})
		start += 300 * time.Millisecond
	}
	f.Current = len(testPhases) + 7
	view := show(t, f, 80, 24).View()
	strip := strings.Split(view, "\n")[2]
	for _, want := range []string{"under", "over", "contract"} {
		if !strings.Contains(strip, want) {
			t.Errorf("phase strip %q lacks %q", strip, want)
		}
	}
	for _, not := range []string{"no-key", "exhaust"} {
		if strings.Contains(strip, not) {
			t.Errorf("phase strip %q names the contract phase %q", strip, not)
		}
	}
}
