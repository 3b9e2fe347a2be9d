#!/bin/sh
# Run a command inside a private D-Bus session with an unlocked GNOME Keyring
# (Secret Service), for tests that need a real OS keychain, e.g.:
#
#   CALMALLY_SECRET_SERVICE_TEST=1 ./scripts/with-keyring.sh go test -run Keychain ./internal/vault/
#
# Needs the dbus, gnome-keyring and (optionally) libsecret-tools packages. No X
# server is needed. Everything lives in a temporary directory removed on exit.
set -eu
tmp=$(mktemp -d)
# GTK apps started inside the session may activate xdg-document-portal, which
# mounts a FUSE file system at $XDG_RUNTIME_DIR/doc: unmount it before removing
# the folder, and never let cleanup change the command's exit status.
cleanup() {
	status=$?
	fusermount -uz "$tmp/run/doc" 2>/dev/null || umount -l "$tmp/run/doc" 2>/dev/null || true
	rm -rf "$tmp" 2>/dev/null || true
	exit "$status"
}
trap cleanup EXIT
mkdir -m 700 "$tmp/run"
export XDG_RUNTIME_DIR="$tmp/run" XDG_DATA_HOME="$tmp/data"
unset DISPLAY WAYLAND_DISPLAY          # an unlock prompt must never appear: it would block forever
dbus-run-session -- sh -eu -c '
  printf %s "test-keyring-password" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  "$@"' keyring-session "$@"
