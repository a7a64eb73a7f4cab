#!/usr/bin/env bash
# Opens a Keel HTML report in headless Chromium, takes a screenshot, and checks that it
# rendered: at least MIN_SVGS charts, every <svg> with a non-zero size, no console errors and
# no network request. Exits 0 when all hold.
#   scripts/check-report.sh REPORT.html [SCREENSHOT.png] [MIN_SVGS=4]
set -euo pipefail
report=${1:?usage: check-report.sh REPORT.html [SCREENSHOT.png] [MIN_SVGS]}
shot=${2:-}
min_svgs=${3:-4}
chrome=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$chrome" ] || { echo "check-report: chromium not found (apt-get install chromium)" >&2; exit 3; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run
       --user-data-dir="$work/profile" --enable-logging=stderr --v=0)

# The report has no scripts of its own; a copy gets one that measures every chart after layout.
probe='<script>window.addEventListener("load",function(){var s=document.querySelectorAll("svg"),z=0;for(var i=0;i<s.length;i++){var r=s[i].getBoundingClientRect();if(!(r.width>0)||!(r.height>0))z++;}var p=document.createElement("pre");p.id="keel-check";p.textContent="svgs="+s.length+" zero="+z;document.body.appendChild(p);});</script>'
sed "s#</body>#${probe}</body>#" "$report" >"$work/report.html"
grep -q 'keel-check' "$work/report.html" || { echo "check-report: $report has no </body>" >&2; exit 1; }

timeout 120 "$chrome" "${flags[@]}" --virtual-time-budget=5000 --dump-dom "file://$work/report.html" \
  >"$work/dom.html" 2>"$work/console.log" || true
result=$(grep -o 'svgs=[0-9]* zero=[0-9]*' "$work/dom.html" || true)
[ -n "$result" ] || { echo "check-report: the page did not finish rendering"; tail -5 "$work/console.log"; exit 1; }
svgs=${result#svgs=}; svgs=${svgs%% *}
zero=${result##*zero=}
errors=$(grep -E 'CONSOLE.*(Error|error|Uncaught)|Failed to load|net::ERR' "$work/console.log" || true)

if [ -n "$shot" ]; then
  timeout 120 "$chrome" "${flags[@]}" --window-size=1280,4000 --screenshot="$shot" \
    "file://$(realpath "$report")" >/dev/null 2>&1 || true
  [ -s "$shot" ] || { echo "check-report: no screenshot written to $shot"; exit 1; }
fi

echo "check-report: $svgs charts, $zero of zero size, console errors: ${errors:-none}${shot:+, screenshot $shot}"
[ "$svgs" -ge "$min_svgs" ] && [ "$zero" = 0 ] && [ -z "$errors" ]
