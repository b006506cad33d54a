#!/bin/sh
# The "system browser" of the sign-in tests, named by BROWSER. It does what a browser does with
# an auto-approving identity provider: requests the authorize URL, reads the redirect, and
# hands it on as the OS would: a dev.brickdesk.app: link launches `brickdesk <link>` (the
# running app gets it through single-instance forwarding), a loopback URL is requested. With
# BRICKDESK_E2E_BROWSER_SAVE set it only saves the redirect there (the user is still away).
# It logs only each step's kind, never a URL (they carry codes).
set -u
log="${BRICKDESK_E2E_BROWSER_LOG:-/dev/null}"
location=$(curl --silent --show-error --max-time 20 --dump-header - --output /dev/null "$1" \
  | tr -d '\r' | sed -n 's/^[Ll]ocation: *//p' | head -n 1)
if [ -n "${BRICKDESK_E2E_BROWSER_SAVE:-}" ]; then
  # The user has not come back from the browser yet: the test decides when the link arrives.
  echo "held" >>"$log"
  printf '%s' "$location" >"$BRICKDESK_E2E_BROWSER_SAVE.tmp" && mv "$BRICKDESK_E2E_BROWSER_SAVE.tmp" "$BRICKDESK_E2E_BROWSER_SAVE"
  exit 0
fi
case "$location" in
  dev.brickdesk.app:*)
    echo "deep link" >>"$log"
    exec "$BRICKDESK_E2E_APP" "$location"
    ;;
  http://127.0.0.1:*|http://localhost:*)
    echo "loopback" >>"$log"
    curl --silent --show-error --max-time 20 --output /dev/null "$location"
    ;;
  *)
    echo "no redirect" >>"$log"
    exit 1
    ;;
esac
