#!/usr/bin/env bash
# Starts the built app on a Windows or macOS runner (or an IT test image), waits for its first
# screen, hands it a Brickdesk link as the OS would, and quits it; fails with the log if any
# step does not happen. The app's own support log says when each step happened.
#
#   scripts/ci/smoke-app.sh windows target/release/brickdesk.exe
#   scripts/ci/smoke-app.sh macos target/universal-apple-darwin/release/bundle/macos/Brickdesk.app
set -euo pipefail

os="$1"
app="$2"
link="dev.brickdesk.app:/open"
case "$os" in
  windows) log="$LOCALAPPDATA/dev.brickdesk.desktop/logs/brickdesk.log" ;;
  macos) log="$HOME/Library/Logs/dev.brickdesk.desktop/brickdesk.log" ;;
  *) echo "usage: $0 windows|macos <app>" >&2; exit 2 ;;
esac
rm -f "$log"

fail() {
  echo "smoke test: $1" >&2
  [ -f "$log" ] && cat "$log" >&2
  exit 1
}

# Waits up to $2 seconds for the log to contain $1.
wait_for() {
  for _ in $(seq "$2"); do
    if [ -f "$log" ] && grep -q "$1" "$log"; then return 0; fi
    sleep 1
  done
  fail "no \"$1\" in the log after $2 s"
}

case "$os" in
  windows)
    "$app" &
    wait_for "first screen ready" 120
    # A second launch with the link, as Windows starts the registered handler: the running
    # app receives it (single instance) and the second one exits.
    "$app" "$link"
    wait_for "handled a link" 30
    # A polite close (WM_CLOSE), as the user closing the window.
    taskkill //IM brickdesk.exe > /dev/null
    for _ in $(seq 30); do
      tasklist //FI "IMAGENAME eq brickdesk.exe" | grep -qi brickdesk.exe || exit 0
      sleep 1
    done
    fail "still running 30 s after it was asked to close"
    ;;
  macos)
    # Registered with Launch Services as an install would, so that the link finds it.
    /System/Library/Frameworks/CoreServices.framework/Frameworks/LaunchServices.framework/Support/lsregister -f "$app"
    open -a "$app"
    wait_for "first screen ready" 120
    open "$link"
    wait_for "handled a link" 30
    osascript -e 'tell application "Brickdesk" to quit'
    for _ in $(seq 30); do
      pgrep -x brickdesk > /dev/null || exit 0
      sleep 1
    done
    fail "still running 30 s after it was asked to quit"
    ;;
esac
