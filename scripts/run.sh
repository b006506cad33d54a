#!/usr/bin/env bash
# scripts/run.sh: builds what is needed, starts the local emulator and opens Brickdesk with
# the "Demo workspace" listed. Options:
#   --port N            run the emulator on port N (default: a free port)
#   --screenshot FILE   headless: run under Xvfb, save a screenshot of the window, exit
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

port=0 screenshot=""
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port="${2:?--port needs a number}"; shift 2 ;;
    --screenshot) screenshot="${2:?--screenshot needs a file name}"; shift 2 ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done

require_toolchains
ensure_apt_packages "${APT_BUILD[@]}"
[ -n "$screenshot" ] && ensure_apt_packages "${APT_TEST[@]}"
ensure_ui_deps
build_ui
build_app

if [ -n "$screenshot" ]; then
  exec "$ROOT/scripts/lib/desktop-session.sh" "$ROOT/scripts/lib/demo.sh" --port "$port" --screenshot "$screenshot"
fi
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  die "no display found (DISPLAY and WAYLAND_DISPLAY are unset). Run this from a desktop session, or use --screenshot FILE to run headless."
fi
exec "$ROOT/scripts/lib/demo.sh" --port "$port"
