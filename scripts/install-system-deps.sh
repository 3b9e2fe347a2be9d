#!/bin/sh
# Installs the Debian/Ubuntu packages that building, running and testing
# CalmAlly Practice need, skipping what is already there. Runs apt-get as root,
# or through sudo when available. Safe to run repeatedly.
set -eu

pkgs="libgtk-3-dev libwebkit2gtk-4.1-dev pkg-config xvfb xauth chromium dbus gnome-keyring libsecret-tools imagemagick sqlite3 fonts-noto-core fonts-noto-ui-core fonts-dejavu-core poppler-utils"

missing=""
for p in $pkgs; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
	echo "install-system-deps: missing packages:$missing" >&2
	echo "install-system-deps: this script knows apt-get only; install them with your package manager." >&2
	exit 1
fi
if [ "$(id -u)" = 0 ]; then
	sudo=""
elif command -v sudo >/dev/null 2>&1; then
	sudo="sudo"
else
	echo "install-system-deps: need root or sudo to install:$missing" >&2
	exit 1
fi
echo "install-system-deps: installing$missing"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
