#!/usr/bin/env bash
# with-keyring.sh CMD...: inside a D-Bus session, starts gnome-keyring with a throwaway,
# unlocked login keyring, waits until org.freedesktop.secrets is owned, runs CMD, then stops
# the keyring daemon by its PID.
set -euo pipefail

eval "$(printf 'brickdesk-test' | gnome-keyring-daemon --unlock --components=secrets --daemonize)"
export GNOME_KEYRING_CONTROL
keyring_pid="${GNOME_KEYRING_PID:-}"
stop_keyring() { [ -n "$keyring_pid" ] && kill "$keyring_pid" 2>/dev/null || true; }
trap stop_keyring EXIT

for _ in $(seq 100); do
  if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
       org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'; then
    "$@"
    exit $?
  fi
  sleep 0.1
done
echo "error: gnome-keyring did not provide org.freedesktop.secrets within 10 s" >&2
exit 1
