#!/usr/bin/env bash
# desktop-session.sh CMD...: runs CMD inside a throwaway desktop session: an Xvfb display, a
# private D-Bus session bus and an unlocked gnome-keyring (the real Secret Service), with
# fresh XDG config/data/cache folders so nothing touches the user's own keyring or settings.
set -euo pipefail

SESSION_DIR="$(mktemp -d "${TMPDIR:-/tmp}/brickdesk-session.XXXXXX")"
mkdir -p "$SESSION_DIR"/{config,data,cache,runtime}
chmod 700 "$SESSION_DIR/runtime"

# A free display number: the first without an X lock file.
display=99
while [ -e "/tmp/.X${display}-lock" ] || [ -e "/tmp/.X11-unix/X${display}" ]; do display=$((display + 1)); done
Xvfb ":${display}" -screen 0 1920x1080x24 -nolisten tcp >"$SESSION_DIR/xvfb.log" 2>&1 &
XVFB_PID=$!
cleanup() {
  kill "$XVFB_PID" 2>/dev/null || true
  wait "$XVFB_PID" 2>/dev/null || true
  # A desktop service (the document portal) may have mounted a FUSE folder in the runtime dir.
  fusermount -u "$SESSION_DIR/runtime/doc" 2>/dev/null || true
  rm -rf "$SESSION_DIR" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 100); do [ -e "/tmp/.X11-unix/X${display}" ] && break; sleep 0.05; done
[ -e "/tmp/.X11-unix/X${display}" ] || { cat "$SESSION_DIR/xvfb.log" >&2; echo "error: Xvfb did not start" >&2; exit 1; }

export DISPLAY=":${display}"
export XDG_CONFIG_HOME="$SESSION_DIR/config" XDG_DATA_HOME="$SESSION_DIR/data"
export XDG_CACHE_HOME="$SESSION_DIR/cache" XDG_RUNTIME_DIR="$SESSION_DIR/runtime"
export NO_AT_BRIDGE=1
dbus-run-session -- "$(dirname "${BASH_SOURCE[0]}")/with-keyring.sh" "$@"
