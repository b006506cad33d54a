"""Fixtures for the SDK compatibility suite: emulator processes that live for the session."""

import contextlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
EMULATOR = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "debug" / "brickdesk-emulator"

CONFIG = {
    "timings": {"warehouse_start_ms": 300, "chunk_rows": 250000, "genie_step_ms": 50},
    "genie": {"questions_per_minute": 100},
}


# A second workspace for what the first cannot show: a session time zone other than UTC (zoned
# TIMESTAMP values) and work slow enough to be caught PENDING/RUNNING, starting, or in progress.
EASTERN_CONFIG = {
    "session_time_zone": "America/New_York",
    "timings": {"warehouse_start_ms": 3000, "statement_ms": 3000, "genie_step_ms": 500},
    "genie": {"questions_per_minute": 100},
}


@contextlib.contextmanager
def running_emulator(config):
    """Starts the emulator on a free port with `config`; yields its base URL."""
    if not EMULATOR.exists():
        pytest.fail(f"{EMULATOR} is missing: build it with cargo build -p brickdesk-emulator")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "config.json"
        path.write_text(json.dumps(config))
        process = subprocess.Popen(
            [str(EMULATOR), "--port", "0", "--config", str(path), "--auto-approve", "alice@example.com"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        try:
            first_line = process.stdout.readline()
            start = first_line.find("http://127.0.0.1:")
            if start < 0:
                pytest.fail(f"the emulator did not print its URL: {first_line!r}")
            yield first_line[start:].strip()
        finally:
            process.terminate()
            process.wait(timeout=10)


@pytest.fixture(scope="session")
def emulator_url():
    with running_emulator(CONFIG) as url:
        yield url


@pytest.fixture(scope="session")
def eastern_url():
    with running_emulator(EASTERN_CONFIG) as url:
        yield url


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch, tmp_path):
    """No ~/.databrickscfg, token cache or DATABRICKS_* variable of the machine leaks in."""
    for name in list(os.environ):
        if name.startswith("DATABRICKS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("BROWSER", f"{sys.executable} {Path(__file__).parent / 'browser.py'} %s")
