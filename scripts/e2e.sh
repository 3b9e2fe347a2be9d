#!/usr/bin/env bash
# End-to-end tests: the dev build serves the real UI and real Go bindings over
# HTTP on loopback, inside Xvfb and a real Secret Service session; Playwright
# drives Debian's Chromium against it (e2e/run.mjs). The reference backend
# (cmd/calmally-backend --seed) runs over TLS on its own loopback port for the
# sync specs; the app trusts its certificate through CALMALLY_SYNC_CA, node
# through NODE_EXTRA_CA_CERTS. A fresh data directory every run. Screenshots
# land in e2e/screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."

# A free loopback port, so a developer's running dev server does not collide.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null || echo 34115; }
addr=${E2E_ADDR:-127.0.0.1:$(free_port)}
data=$(mktemp -d)
backend_pid=
cleanup() {
	if [ -n "$backend_pid" ]; then kill -TERM "$backend_pid" 2>/dev/null || true; wait "$backend_pid" 2>/dev/null || true; fi
	rm -rf "$data"
}
trap cleanup EXIT
mkdir -p e2e/screenshots

# The reference backend, seeded with the demo practice, HTTPS on a free loopback port.
go build -o build/bin/calmally-backend ./cmd/calmally-backend
./build/bin/calmally-backend --addr "127.0.0.1:$(free_port)" --seed --ca-out "$data/backend-ca.pem" \
	--info-out "$data/backend.json" --db "$data/backend.db" >"$data/backend.log" 2>&1 &
backend_pid=$!
for i in $(seq 1 100); do
	[ -s "$data/backend.json" ] && break
	kill -0 "$backend_pid" 2>/dev/null || { cat "$data/backend.log"; echo "e2e: the reference backend exited"; exit 1; }
	sleep 0.1
done
[ -s "$data/backend.json" ] || { cat "$data/backend.log"; echo "e2e: the reference backend did not start"; exit 1; }
info() { node -e 'process.stdout.write(String(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))[process.argv[2]]))' "$data/backend.json" "$1"; }
export E2E_BACKEND_URL E2E_BACKEND_ADMIN_TOKEN E2E_ENROLMENT_CODE
E2E_BACKEND_URL=$(info url)
E2E_BACKEND_ADMIN_TOKEN=$(info adminToken)
E2E_ENROLMENT_CODE=$(info enrolmentCode)
export CALMALLY_SYNC_CA="$data/backend-ca.pem" NODE_EXTRA_CA_CERTS="$data/backend-ca.pem"

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
	if [ $status -ne 0 ]; then
		echo "--- app log ---"; tail -50 "'"$data"'/app.log"
		echo "--- backend log ---"; tail -20 "'"$data"'/backend.log"
	fi
	exit $status
'
