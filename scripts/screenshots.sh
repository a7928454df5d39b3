#!/usr/bin/env bash
# Regenerates the README's pictures from the real binary, on loopback only:
#   docs/img/dashboard.txt and .png  the dashboard of a failing run, captured from
#                                    tmux (120×40) just before the run ends
#   docs/img/report.png              the HTML report of that run, rendered by
#                                    headless Chromium
# Needs tmux and chromium. The browser runs with its background services off
# and every host name resolving nowhere, so nothing leaves the machine; the
# report itself loads nothing (report/html_test.go checks it).
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in tmux chromium; do
	command -v "$tool" >/dev/null || { echo "screenshots: $tool is needed" >&2; exit 2; }
done

work=$(mktemp -d)
# A tmux server of its own (-L): another session's tmux kill-server on the
# default socket cannot end the capture half way.
tm() { tmux -L ratecheck-shot "$@"; }
trap 'tm kill-server 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/ratecheck" ./cmd/ratecheck

# The dashboard: the README's failing example, in a 120×40 terminal, run from
# the repository as the README's command is (the report then names
# scenarios/copilot.yaml, not this machine's path). Captured when the verdict
# is on screen, before the summary scrolls it.
tm new-session -d -s ratecheck-shot -x 120 -y 40 \
	"cd '$PWD' && '$work/ratecheck' run scenarios/copilot.yaml --target builtin --fault off-by-one --out '$work/run' --html '$work/report.html'; sleep 60"
for _ in $(seq 1 300); do
	if tm capture-pane -t ratecheck-shot -p | grep -q '✗ FAIL\|✓ PASS'; then break; fi
	sleep 0.1
done
# The last frame, from the history: its title line to its verdict line.
tm capture-pane -t ratecheck-shot -p -S -300 |
	awk '/^ratecheck · /{buf=""; on=1} on{buf=buf $0 "\n"} on && /✗ FAIL|✓ PASS/{printf "%s", buf; exit}' >"$work/dashboard.txt"
if ! grep -q '✗ FAIL' "$work/dashboard.txt"; then
	echo "screenshots: no dashboard with a FAIL verdict was captured; the screen was:" >&2
	tm capture-pane -t ratecheck-shot -p >&2 || true
	exit 1
fi
cp "$work/dashboard.txt" docs/img/dashboard.txt
for _ in $(seq 1 100); do [ -s "$work/report.html" ] && break; sleep 0.1; done

chrome() {
	chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
		--disable-background-networking --disable-component-update --disable-sync \
		--disable-default-apps --disable-extensions --no-first-run \
		"--host-resolver-rules=MAP * ~NOTFOUND" "$@" 2>/dev/null
}

# The dashboard capture as a picture: the text in a terminal-like page.
{
	printf '<!DOCTYPE html><meta charset="utf-8"><style>body{margin:0;background:#0d1117;color:#e6edf3}'
	printf 'pre{margin:0;padding:12px;font:14px/1.25 "DejaVu Sans Mono",monospace}</style><pre>'
	sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' docs/img/dashboard.txt
	printf '</pre>'
} >"$work/dashboard.html"
chrome --window-size=1040,$((20 * $(wc -l <docs/img/dashboard.txt) + 30)) --screenshot="$PWD/docs/img/dashboard.png" "file://$work/dashboard.html"

# The HTML report, its first screen.
chrome --window-size=1280,1400 --screenshot="$PWD/docs/img/report.png" "file://$work/report.html"
echo "wrote docs/img/dashboard.txt, docs/img/dashboard.png, docs/img/report.png"
