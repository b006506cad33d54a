#!/usr/bin/env bash
# demo.sh --port N [--screenshot FILE]: starts the emulator, then Brickdesk pointed at it.
# Stops the emulator when Brickdesk exits. Expects both to be built (scripts/run.sh does it).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
port=0 screenshot=""
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    --screenshot) screenshot="$2"; shift 2 ;;
    *) echo "demo.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

out="$(mktemp)"
"$ROOT/target/debug/brickdesk-emulator" --port "$port" >"$out" &
emulator_pid=$!
trap 'kill "$emulator_pid" 2>/dev/null || true; rm -f "$out"' EXIT
url=""
for _ in $(seq 100); do
  url="$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$out" | head -n1 || true)"
  [ -n "$url" ] && break
  kill -0 "$emulator_pid" 2>/dev/null || { echo "error: the emulator did not start (see the message above)." >&2; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { echo "error: the emulator did not print its URL within 10 s." >&2; exit 1; }
echo "Demo workspace (emulator) at $url"

export BRICKDESK_DEMO_HOST="$url"
if [ -z "$screenshot" ]; then
  "$ROOT/target/debug/brickdesk"
  exit $?
fi

"$ROOT/target/debug/brickdesk" &
app_pid=$!
sleep "${BRICKDESK_SCREENSHOT_DELAY:-6}"
kill -0 "$app_pid" 2>/dev/null || { echo "error: Brickdesk exited early." >&2; exit 1; }
# The whole (window-manager-less) screen, trimmed to the window.
import -window root "$screenshot"
convert "$screenshot" -trim +repage "$screenshot"
echo "Saved a screenshot of the window to $screenshot"
kill "$app_pid" 2>/dev/null || true
wait "$app_pid" 2>/dev/null || true
