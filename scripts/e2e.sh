#!/usr/bin/env bash
# End-to-end tests: the dev build serves the real UI and real Go bindings over
# HTTP on loopback, inside Xvfb and a real Secret Service session; Playwright
# drives Debian's Chromium against it (e2e/run.mjs). A fresh data directory
# every run. Screenshots land in e2e/screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."

# A free loopback port, so a developer's running dev server does not collide.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null || echo 34115; }
addr=${E2E_ADDR:-127.0.0.1:$(free_port)}
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
mkdir -p e2e/screenshots

export CALMALLY_DATA_DIR="$data/profile" E2E_URL="http://$addr/" E2E_DATA_DIR="$data/profile"
scripts/with-keyring.sh xvfb-run -a -s "-screen 0 1280x800x24" bash -c '
	./build/bin/calmally-dev -devserver "'"$addr"'" -assetdir frontend/dist >"'"$data"'/app.log" 2>&1 &
	pid=$!
	for i in $(seq 1 150); do
		curl -sf -o /dev/null "$E2E_URL" && break
		kill -0 $pid 2>/dev/null || { cat "'"$data"'/app.log"; echo "e2e: the dev build exited"; exit 1; }
		sleep 0.2
	done
	status=0
	node e2e/run.mjs || status=$?
	kill -INT $pid 2>/dev/null || true
	wait $pid 2>/dev/null || true
	if [ $status -ne 0 ]; then echo "--- app log ---"; tail -50 "'"$data"'/app.log"; fi
	exit $status
'
