#!/bin/sh
# Run a command inside a private D-Bus session with an unlocked GNOME Keyring
# (Secret Service), for tests that need a real OS keychain, e.g.:
#
#   CALMALLY_SECRET_SERVICE_TEST=1 ./scripts/with-keyring.sh go test -run Keychain ./internal/vault/
#
# Needs the dbus, gnome-keyring and (optionally) libsecret-tools packages. No X
# server is needed. Everything lives in a temporary directory removed on exit.
set -eu
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mkdir -m 700 "$tmp/run"
export XDG_RUNTIME_DIR="$tmp/run" XDG_DATA_HOME="$tmp/data"
unset DISPLAY WAYLAND_DISPLAY          # an unlock prompt must never appear: it would block forever
dbus-run-session -- sh -eu -c '
  printf %s "test-keyring-password" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  "$@"' keyring-session "$@"
