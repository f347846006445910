#!/bin/bash
# report_browser.sh -- report.html in a real browser.  Render the fixture
# result (tests/fixtures/compat/empty-record.result.json, a real run) with
# `dnsdrill report DIR` (or `test_html --render DIR` when the binary has no
# report command), load it in headless Chromium from file:// with
# networking off, check the parsed DOM holds the timeline <svg> with its
# probe rects, and keep a screenshot at $BUILD_ABS/report-screenshot.png.
# Chromium is a dependency (tools/deps.sh); without it the browser checks
# are skipped, the render checks still run.
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/tap.sh
BUILD=${BUILD:-build}
BUILD_ABS=${BUILD_ABS:-$(cd "$BUILD" && pwd)}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
fixture=tests/fixtures/compat/empty-record.result.json
shot="$BUILD_ABS/report-screenshot.png"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$fixture" "$work/result.json"
html="$work/report.html"

how=none
if [ -x "$BUILD/dnsdrill" ] && "$BUILD/dnsdrill" report "$work" \
    >"$work/render.log" 2>&1 && [ -s "$html" ]; then
	how="dnsdrill report"
elif [ -x "$BUILD/tests/test_html" ] &&
    "$BUILD/tests/test_html" --render "$work" >>"$work/render.log" 2>&1; then
	how="test_html --render"
fi
check "report.html rendered from $fixture ($how)" test -s "$html"
# written before result.json moved to jansson: the binary renders it to the
# bytes the old code rendered (the pages carry no version of the renderer)
check "dnsdrill report renders the old result byte for byte" \
	cmp -s "$html" tests/fixtures/compat/empty-record.report.html
if [ ! -s "$html" ]; then
	sed 's/^/# /' "$work/render.log"
	t_done
fi

# The fixture has one probe ("www") with 70 results and a fault 2..5 s.
want_rects=$(grep -o '<rect class="pr ' "$html" | wc -l)
check "report.html has the timeline and 70 probe rects (got $want_rects)" \
	test "$want_rects" -eq 70
check "report.html is self-contained (no http(s) resources, no script)" \
	sh -c "! grep -Eiq '(src|href)=\"?(https?:)?//|<script|@import|url\\(' '$html'"
check "report.html names the scenario and verdict" \
	sh -c "grep -q '<h1>empty-record</h1>' '$html' && grep -q 'id=\"verdict\">PASS<' '$html'"

if [ ! -x "$CHROMIUM" ]; then
	skip "chromium renders the timeline" "chromium missing"
	skip "chromium screenshot is a non-trivial PNG" "chromium missing"
	t_done
fi

# Nothing may come from the network: file:// only, every background
# service off, and every host name resolving to nothing.
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
	--disable-background-networking --disable-component-update
	--disable-sync --host-resolver-rules='MAP * ~NOTFOUND')

ud=$(mktemp -d -p "$work")
timeout 120 "$CHROMIUM" "${flags[@]}" --user-data-dir="$ud" --dump-dom \
	"file://$html" >"$work/dom.html" 2>"$work/chromium-dom.log"
rc=$?
svgs=$(grep -o '<svg class="timeline"' "$work/dom.html" | wc -l)
rects=$(grep -o '<rect class="pr ' "$work/dom.html" | wc -l)
rows=$(grep -o '<g class="row probe"' "$work/dom.html" | wc -l)
if [ "$rc" -eq 0 ] && [ "$svgs" -eq 1 ] && [ "$rects" -gt 0 ] &&
    [ "$rects" -eq "$want_rects" ] && [ "$rows" -eq 1 ]; then
	ok "chromium DOM holds the timeline svg with $rects probe rects in 1 probe row"
else
	not_ok "chromium DOM: rc $rc, $svgs timeline svg, $rects probe rects (want $want_rects), $rows probe rows"
	tail -5 "$work/chromium-dom.log" | sed 's/^/# /'
fi

rm -f "$shot"
ud=$(mktemp -d -p "$work")
timeout 120 "$CHROMIUM" "${flags[@]}" --user-data-dir="$ud" \
	--screenshot="$shot" --window-size=1280,1600 "file://$html" \
	>"$work/chromium-shot.log" 2>&1
size=$(stat -c %s "$shot" 2>/dev/null || echo 0)
magic=$(head -c 8 "$shot" 2>/dev/null | od -An -tx1 | tr -d ' \n')
if [ "$magic" = 89504e470d0a1a0a ] && [ "$size" -gt 10240 ]; then
	ok "chromium screenshot is a PNG of $size bytes ($shot)"
else
	not_ok "chromium screenshot: magic '$magic', $size bytes ($shot)"
	tail -5 "$work/chromium-shot.log" | sed 's/^/# /'
fi
t_done
