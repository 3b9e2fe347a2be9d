#!/usr/bin/env bash
# Manual look at the PRODUCTION window (WebKitGTK, not Chromium): creates a vault with
# the CLI, unlocks it by typing into the window (xdotool), opens Settings, sets
# auto-lock to 1 minute and waits for the idle lock, which reaches the UI only as a
# Go "vault:locked" event. Screenshots: e2e/screenshots/desktop-*.png — look at them;
# this script asserts nothing beyond the app staying up.
#
# Needs: build/bin/calmally (make build), xvfb, xdotool, imagemagick, gnome-keyring.
#   e2e/desktop-look.sh [path/to/calmally]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(realpath "${1:-build/bin/calmally}")
shots=$(realpath e2e)/screenshots
mkdir -p "$shots"
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
printf %s 'correct horse battery staple orchard' >"$data/pass"
export CALMALLY_DATA_DIR="$data/profile" BIN="$bin" SHOTS="$shots" DATA="$data"

scripts/with-keyring.sh xvfb-run -a -s "-screen 0 1280x800x24" bash -euc '
	"$BIN" --passphrase-file "$DATA/pass" init --recovery-kit-out "$DATA/kit.pdf" >"$DATA/init.log" 2>&1
	"$BIN" >"$DATA/app.log" 2>&1 &
	pid=$!
	sleep 5
	import -window root "$SHOTS/desktop-1-lock.png"
	xdotool type --delay 20 "correct horse battery staple orchard"
	xdotool key Return
	sleep 4
	import -window root "$SHOTS/desktop-2-shell.png"
	xdotool key alt+8
	sleep 2
	xdotool key Tab ctrl+a
	xdotool type 1
	xdotool key Return
	sleep 2
	import -window root "$SHOTS/desktop-3-autolock-1min.png"
	echo "waiting 75 s for the idle auto-lock..."
	sleep 75
	import -window root "$SHOTS/desktop-4-idle-locked.png"
	kill -0 $pid || { echo "the app exited"; cat "$DATA/app.log"; exit 1; }
	kill -INT $pid
	wait $pid || true
'
echo "screenshots: $shots/desktop-*.png"
