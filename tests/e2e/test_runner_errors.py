"""The runner explains what stops it from starting, and leaves nothing running."""

import socket
import subprocess
import sys

import pytest

from .conftest import ROOT, clean_environment, free_port

pytestmark = pytest.mark.e2e


def run(data_dir, port: int, aws_port: int) -> subprocess.CompletedProcess:
    command = [
        sys.executable,
        "-m",
        "langportal.local",
        "--data-dir",
        str(data_dir),
        "--port",
        str(port),
        "--aws-port",
        str(aws_port),
    ]
    return subprocess.run(command, cwd=ROOT, env=clean_environment(), capture_output=True, text=True, timeout=120)


def test_a_port_in_use_is_reported(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        result = run(tmp_path, taken.getsockname()[1], free_port())
    assert result.returncode == 1
    assert "is in use: is langportal already running?" in result.stdout


def test_unreadable_saved_state_is_reported_and_kept(tmp_path):
    state = tmp_path / "emulator.pickle"
    state.write_bytes(b"not a pickle")
    result = run(tmp_path, free_port(), free_port())
    assert result.returncode == 1
    assert "emulator.pickle cannot be loaded" in result.stdout
    assert "make clean-local" in result.stdout
    assert state.read_bytes() == b"not a pickle"
