#!/usr/bin/env bash
# Window smoke test: start the production binary under Xvfb with a fresh
# profile, wait for it to render, take a screenshot, and fail unless the
# process is still running and the screen shows more than a blank window.
set -euo pipefail
cd "$(dirname "$0")/.."

out=${SMOKE_SHOT:-build/bin/smoke.png}
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
rm -f "$out"

CALMALLY_DATA_DIR="$data/profile" scripts/with-keyring.sh xvfb-run -a -s "-screen 0 1280x800x24" bash -c '
	./build/bin/calmally >"'"$data"'/app.log" 2>&1 &
	pid=$!
	sleep 4
	if ! kill -0 $pid 2>/dev/null; then cat "'"$data"'/app.log"; echo "smoke: the app exited early"; exit 1; fi
	import -window root "'"$out"'"
	kill -INT $pid; wait $pid 2>/dev/null || true
'
# A rendered window has many colours (text, sidebar, accents); an unrendered
# one is a flat fill. The threshold is far below a real screen's count.
colours=$(convert "$out" -format '%k' info:)
echo "smoke: screenshot $out has $colours colours"
if [ "$colours" -lt 50 ]; then
	echo "smoke: the window did not render (only $colours colours)"
	exit 1
fi
echo "smoke: ok"
