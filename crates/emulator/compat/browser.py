#!/usr/bin/env python3
"""Stands in for the user's web browser in the SDK compatibility suite.

The SDK opens the authorize URL with `webbrowser`, which runs $BROWSER and waits for it,
and only then starts its loopback listener. So this script returns at once and leaves a
detached child that does what a browser would: request the authorize URL (the emulator
auto-approves and answers with a redirect), then follow the redirect to the SDK's
listener, retrying until the listener is up.
"""

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D102
        return None


def follow(url: str) -> int:
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        opener.open(url, timeout=10)
        return 1  # a sign-in page instead of a redirect: nothing to follow
    except urllib.error.HTTPError as redirect:
        location = redirect.headers.get("Location")
    if not location:
        return 1
    for _ in range(200):
        try:
            urllib.request.urlopen(location, timeout=5).read()
            return 0
        except OSError:
            time.sleep(0.05)
    return 1


def main() -> int:
    url = sys.argv[1]
    if os.environ.get("BRICKDESK_BROWSER_CHILD") == "1":
        return follow(url)
    env = dict(os.environ, BRICKDESK_BROWSER_CHILD="1")
    subprocess.Popen(  # noqa: S603 - our own script, our own argument
        [sys.executable, os.path.abspath(__file__), url],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
