"""The container's command, `gunicorn -c gunicorn.conf.py`, run here against the local stack."""

import pytest
import requests

from .conftest import app_server

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def test_the_image_command_serves_health_and_readiness(stack, tmp_path):
    database = tmp_path / "db.sqlite3"  # a fresh one: the server migrates it as it starts
    with app_server(stack, DATABASE_URL=f"sqlite:///{database}") as (url, log):
        assert requests.get(f"{url}/healthz", timeout=5).status_code == 200
        ready = requests.get(f"{url}/readyz", timeout=10)
        assert (ready.status_code, ready.json()["status"]) == (200, "ok")
        assert database.exists()
    output = log.read_text()
    assert f"Listening at: http://0.0.0.0:{url.rsplit(':', 1)[1]}" in output
    assert '"GET /healthz HTTP/1.1" 200' in output  # the access log goes to stdout
