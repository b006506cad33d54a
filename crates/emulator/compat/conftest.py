"""Fixtures for the SDK compatibility suite: one emulator process for the session."""

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


@pytest.fixture(scope="session")
def emulator_url():
    if not EMULATOR.exists():
        pytest.fail(f"{EMULATOR} is missing: build it with cargo build -p brickdesk-emulator")
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config.json"
        config.write_text(json.dumps(CONFIG))
        process = subprocess.Popen(
            [str(EMULATOR), "--port", "0", "--config", str(config), "--auto-approve", "alice@example.com"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        first_line = process.stdout.readline()
        start = first_line.find("http://127.0.0.1:")
        if start < 0:
            process.kill()
            pytest.fail(f"the emulator did not print its URL: {first_line!r}")
        yield first_line[start:].strip()
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch, tmp_path):
    """No ~/.databrickscfg, token cache or DATABRICKS_* variable of the machine leaks in."""
    for name in list(os.environ):
        if name.startswith("DATABRICKS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("BROWSER", f"{sys.executable} {Path(__file__).parent / 'browser.py'} %s")
