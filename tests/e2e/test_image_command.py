"""The container's command, `gunicorn -c gunicorn.conf.py`, run here against the local stack."""

import subprocess
import sys
import time

import pytest
import requests

from .conftest import ROOT, clean_environment, free_port

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def test_the_image_command_serves_health_and_readiness(stack, tmp_path):
    port = free_port()
    environment = clean_environment(
        LANGPORTAL_ENV_FILE=str(stack.env_file),
        PORT=str(port),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",  # a fresh one: the server migrates it
        WEB_CONCURRENCY="1",
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(150):
            try:
                health = requests.get(f"{url}/healthz", timeout=2)
                break
            except requests.RequestException:
                time.sleep(0.2)
        assert health.status_code == 200
        ready = requests.get(f"{url}/readyz", timeout=10)
        assert (ready.status_code, ready.json()["status"]) == (200, "ok")
        assert (tmp_path / "db.sqlite3").exists()
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert f"Listening at: http://0.0.0.0:{port}" in output
    assert '"GET /healthz HTTP/1.1" 200' in output  # the access log goes to stdout
