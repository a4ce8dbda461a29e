"""moto's server on loopback, one request at a time, with its state kept in a file.

moto's backends do not lock: two concurrent requests could both pass a DynamoDB
condition, which real DynamoDB never allows. Serving one request at a time makes
every operation atomic, as in AWS, and lets snapshots see whole requests only.

moto holds everything in memory. We pickle the backends of the services we use
(DynamoDB, S3, Cognito) on stop and every `autosave` seconds, and load them before
the server answers its first request, so tables, objects, user pools, users and
their ids all come back as they were.

With a StrictConfig, DynamoDB requests also pass through StrictDynamoDB (strict.py), which
makes moto as strict and as unreliable as AWS may be; its fault counts are served at
/strict-api/faults and saved next to the state.
"""

from __future__ import annotations

import io
import json
import logging
import os
import pickle
import threading
from collections.abc import Callable
from pathlib import Path

from joserfc.jwk import RSAKey
from moto.backends import get_backend
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

from langportal.local import indexes, transactions
from langportal.local.strict import StrictConfig, StrictDynamoDB

logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per emulator request is noise

SERVICES = ("dynamodb", "s3", "cognito-idp", "sqs")  # sqs: a queued job is still queued after a restart


transactions.install()  # transactions that cost what they write, not what their tables hold
indexes.install()  # queries that cost what they match, not what their tables hold


_NEW_LOCKS = {type(threading.Lock()): threading.Lock, type(threading.RLock()): threading.RLock}


class _StatePickler(pickle.Pickler):
    """Cognito pools hold their signing key as an object pickle cannot copy, and SQS
    queues their locks: a key is kept as its JSON, a lock comes back as a new one."""

    def reducer_override(self, obj):
        if isinstance(obj, RSAKey):
            return RSAKey.import_key, (obj.as_dict(private=True),)
        if type(obj) in _NEW_LOCKS:
            return _NEW_LOCKS[type(obj)], ()
        return NotImplemented


def snapshot() -> bytes:
    state = {
        service: {account: dict(regions) for account, regions in get_backend(service).items()} for service in SERVICES
    }
    buffer = io.BytesIO()
    _StatePickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(state)
    return buffer.getvalue()


def restore(data: bytes) -> None:
    # The emulator's own state file under var/, written by save() on this machine.
    for service, accounts in pickle.loads(data).items():  # noqa: S301
        backends = get_backend(service)
        for account, regions in accounts.items():
            for region, backend in regions.items():
                backends[account][region] = backend


class StateUnreadable(Exception):
    pass


class OneAtATime:
    """WSGI middleware: the whole request, body included, under one lock. `on_arrival` sees
    each request before it waits its turn."""

    def __init__(self, app, lock: threading.Lock, *, on_arrival=None):
        self.app, self.lock, self.on_arrival = app, lock, on_arrival

    def __call__(self, environ, start_response):
        if self.on_arrival:
            self.on_arrival(environ)
        with self.lock:
            return list(self.app(environ, start_response))


def write_atomically(path: Path, data: bytes) -> None:
    """A crash mid-write leaves the previous file."""
    temporary = path.with_suffix(".tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


class KeepAliveRequestHandler(MotoRequestHandler):
    """Keeps a client's connection open between its requests (HTTP/1.1), as AWS's
    endpoints do: a new connection for every call cost the app about 0.7 ms a call."""

    protocol_version = "HTTP/1.1"


class Emulator:
    """moto's server; `port` 0 takes a free one. A StrictConfig as `strict` turns strict
    DynamoDB on; once started, the attribute `strict` is its middleware (`config`, `faults`).
    `middleware`, a function of the WSGI app, wraps it outside the one-at-a-time lock: it
    sees each request as it arrives, before it waits its turn, and its whole answer."""

    def __init__(
        self,
        *,
        port: int,
        state_file: Path | None = None,
        autosave: float = 60.0,
        strict: StrictConfig | None = None,
        middleware: Callable | None = None,
    ):
        self.port = port
        self.state_file = state_file
        self.autosave = autosave
        self.strict_config = strict
        self.strict: StrictDynamoDB | None = None
        self.middleware = middleware
        self._lock = threading.Lock()
        self._server = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._saver: threading.Thread | None = None
        self._started = False

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        if self.state_file and self.state_file.is_file():
            try:
                restore(self.state_file.read_bytes())
            except Exception as error:  # any unpickling failure means the same to the user
                raise StateUnreadable(
                    f"{self.state_file} cannot be loaded ({error}); it may come from another moto version. "
                    "`make clean-local` starts afresh."
                ) from error
        app = DomainDispatcherApplication(create_backend_app)
        if self.strict_config:
            app = self.strict = StrictDynamoDB(app, self.strict_config)
        app = OneAtATime(app, self._lock, on_arrival=self.strict.arrive if self.strict else None)
        if self.middleware:
            app = self.middleware(app)
        self._server = make_server("127.0.0.1", self.port, app, threaded=True, request_handler=KeepAliveRequestHandler)
        self.port = self._server.server_port
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},  # how long stop() waits for the server to notice
            name="emulator",
            daemon=True,
        )
        self._thread.start()
        self._started = True
        if self.state_file and self.autosave:
            self._saver = threading.Thread(target=self._autosave, name="emulator-autosave", daemon=True)
            self._saver.start()

    @property
    def faults_file(self) -> Path | None:
        return self.state_file.parent / "strict-faults.json" if self.state_file and self.strict_config else None

    def save(self) -> None:
        """Write the state, and the strict mode's fault counts when it is on."""
        if not self.state_file:
            return
        with self._lock:
            data = snapshot()
            faults = dict(self.strict.faults) if self.strict else None
        write_atomically(self.state_file, data)
        if self.faults_file and faults is not None:
            write_atomically(self.faults_file, json.dumps(faults, indent=2, sort_keys=True).encode())

    def _autosave(self) -> None:
        while not self._stopping.wait(self.autosave):
            self.save()

    def stop(self) -> bool:
        """Stop and save; False when it never started (nothing to save)."""
        if not self._started:
            return False
        self._stopping.set()
        if self._saver:
            self._saver.join()
        self._server.shutdown()
        self._thread.join()
        self.save()
        return True
