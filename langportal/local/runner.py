"""The local runner behind `python -m langportal.local` (what `make run` starts).

An AWS emulator on loopback, provisioned and seeded, and the app under gunicorn.
Everything is kept under the data folder (var/ by default) and comes back on the
next start; Ctrl-C stops it all and saves the emulator's state.

LOCAL_AWS_STRICT turns on the emulator's strict DynamoDB (langportal/local/strict/).
Production never imports langportal.local, so no production setting can turn it on.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import requests

from langportal.local.strict import ENVIRONMENT_VARIABLE as STRICT_VARIABLE
from langportal.local.strict import StrictConfig

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DEMO_USERS = (("teacher", "teachers"), ("student", "students"))
SHELL_AWS_SETTINGS = ("AWS_ENDPOINT_URL_", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE")


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m langportal.local", description="Run langportal on this machine with a local AWS stack."
    )
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8000)), help="web port (PORT)")
    parser.add_argument(
        "--aws-port",
        type=int,
        default=int(os.environ.get("LOCAL_AWS_PORT", 4566)),
        help="emulator port (LOCAL_AWS_PORT)",
    )
    parser.add_argument("--data-dir", type=Path, default=BASE_DIR / "var", help="where local state lives")
    parser.add_argument("--no-seed", action="store_true", help="do not load the starter vocabulary")
    return parser.parse_args(argv)


def strict_config(environ: Mapping[str, str]) -> StrictConfig | None:
    """Strict DynamoDB as LOCAL_AWS_STRICT asks: unset, empty or 0 is off, 1 the realistic
    profile, otherwise a comma list (`lag_ms=1000,stale=1,throttle=0.03,seed=7`)."""
    return StrictConfig.from_env(environ.get(STRICT_VARIABLE, ""))


def fault_summary(faults: Mapping[str, int]) -> str:
    counts = [f"{kind} {count}" for kind, count in sorted(faults.items()) if count]
    return ", ".join(counts) or "none"


def port_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A loopback port no one listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# The settings a local stack makes for itself (local.env): a stack started from a shell or
# a test gets none of the caller's, which would point it at another stack or account.
CONFIGURATION_PREFIXES = (
    "ADMIN_",
    "AWS_",
    "COGNITO_",
    "DJANGO_",
    "DYNAMODB_",
    "MEDIA_",
    "LANGPORTAL_",
    "LOCAL_",
    "DATABASE_URL",
)


def clean_environment(**overrides: str) -> dict[str, str]:
    """This process's environment without the settings a local stack makes, plus `overrides`."""
    kept = {key: value for key, value in os.environ.items() if not key.startswith(CONFIGURATION_PREFIXES)}
    return {**kept, **overrides}


def local_environment(data_dir: Path, aws_port: int) -> dict[str, str]:
    """The settings every local process shares; the secret key is made once and kept."""
    env_file = data_dir / "local.env"
    saved = read_env_file(env_file)
    endpoint = f"http://127.0.0.1:{aws_port}"
    return {
        "DJANGO_SECRET_KEY": saved.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50),
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_REGION": saved.get("AWS_REGION", "us-east-1"),
        "DATABASE_URL": f"sqlite:///{data_dir / 'db.sqlite3'}",
        "DJANGO_STATIC_ROOT": str(data_dir / "static"),
        "LOCAL_USERS_FILE": str(data_dir / "local-users.json"),
        # The local pool takes any code: `ADMIN_MFA_REQUIRED=true make run` tries the flow.
        "ADMIN_MFA_REQUIRED": saved.get("ADMIN_MFA_REQUIRED", "false"),
    }


def read_env_file(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line and not line.startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}


def write_env_file(path: Path, values: dict[str, str]) -> None:
    lines = ["# Written by `python -m langportal.local` (make run): the local stack's settings."]
    lines += [f"{key}={value}" for key, value in sorted(values.items())]
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o600)


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with status {process.returncode}.")
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or still booting
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {timeout:.0f} seconds.")


def banner(port: int, aws_port: int, data_dir: Path, passwords: dict[str, str]) -> str:
    site = f"http://127.0.0.1:{port}"
    users = "\n".join(f"    {name:<8} password {password}" for name, password in passwords.items())
    return f"""
langportal is running at {site}
    API            {site}/api/words
    API docs       {site}/api/docs/   (schema: {site}/api/schema/)
    Admin          {site}/admin/
    Health         {site}/healthz   {site}/readyz
    AWS emulator   http://127.0.0.1:{aws_port}   (state kept in {data_dir})
Demo users of the local user pool (local only):
{users}
Get a token and call the API:
    TOKEN=$(.venv/bin/python manage.py local_token student)
    curl -H "Authorization: Bearer $TOKEN" {site}/api/words
More users: .venv/bin/python manage.py local_user NAME --group students|teachers|admins
Press Ctrl-C to stop.
"""


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    try:
        strict = strict_config(os.environ)
    except ValueError as error:
        print(error)
        return 1
    data_dir = arguments.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    for port in (arguments.port, arguments.aws_port):
        if not port_free(port):
            print(f"Port {port} is in use: is langportal already running? Choose others with PORT / LOCAL_AWS_PORT.")
            return 1
    for cache in data_dir.glob("db.sqlite3*"):
        cache.unlink()  # Django's database only caches Cognito users: start it afresh
    env_file = data_dir / "local.env"
    values = local_environment(data_dir, arguments.aws_port)
    for name in [name for name in os.environ if name.startswith(SHELL_AWS_SETTINGS)]:
        del os.environ[name]  # the local stack must never reach a real account
    os.environ.update(values, LANGPORTAL_ENV_FILE=str(env_file))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "langportal.settings")
    signal.signal(signal.SIGTERM, _interrupt)

    import django

    django.setup()
    from langportal.local import stack  # needs Django's settings
    from langportal.local.emulator import Emulator, StateUnreadable

    emulator = Emulator(port=arguments.aws_port, state_file=data_dir / "emulator.pickle", strict=strict)
    if strict:
        print(f"Strict DynamoDB is on: {STRICT_VARIABLE}={strict.to_env()} (the same value replays it).", flush=True)
    try:
        emulator.start()
        cognito = stack.prepare(seed=not arguments.no_seed, endpoint=emulator.endpoint)
        write_env_file(env_file, {**values, **cognito})
        passwords = stack.demo_users(DEMO_USERS, pool_id=cognito["COGNITO_USER_POOL_ID"])
        emulator.save()
        web = subprocess.Popen(  # noqa: S603 (our own gunicorn, with a fixed argument list)
            [sys.executable, "-m", "gunicorn", "-c", str(BASE_DIR / "gunicorn.conf.py")],
            cwd=BASE_DIR,
            env={**os.environ, **cognito, "GUNICORN_HOST": "127.0.0.1", "PORT": str(arguments.port)},
        )
        # The jobs Lambda's handler on the same queue: imports and exports run here.
        worker = subprocess.Popen(
            [sys.executable, "-m", "langportal.jobs.worker"], cwd=BASE_DIR, env={**os.environ, **cognito}
        )
        try:
            wait_until_up(f"http://127.0.0.1:{arguments.port}/healthz", web)
            print(banner(arguments.port, arguments.aws_port, data_dir, passwords), flush=True)
            return web.wait()
        finally:
            stop(web)
            stop(worker)
    except KeyboardInterrupt:
        return 0
    except StateUnreadable as error:
        print(error)
        return 1
    finally:
        if emulator.stop():
            print(f"Stopped; local data saved in {data_dir}.", flush=True)
        if emulator.strict:
            print(f"Strict DynamoDB injected faults: {fault_summary(emulator.strict.faults)}.", flush=True)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def stop(process: subprocess.Popen) -> None:
    """Stop a child gracefully: SIGTERM, which gunicorn and the jobs worker both handle
    (SIGINT is ignored by a stack started in the background, and so by its children)."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
