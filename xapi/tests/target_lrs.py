"""Another LRS for the forwarder to deliver to: a small xAPI statements resource on a
local port, over real HTTP, that keeps statements by id and can be told to fail; and
fixtures that make forwarding rules to it and store statements to forward (a pytest
plugin of the root conftest, for the deployment's contract tests too)."""

from __future__ import annotations

import base64
import email.parser
import email.policy
import json
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from xapi.services import forwarding, statements
from xapi.services.access import Principal

TARGET_KEY, TARGET_SECRET = "langportal", "target-secret"


@dataclass
class Received:
    """One POST the target answered: what it was sent and how it answered."""

    ids: list[str]
    version: str
    content_type: str
    status: int
    attachments: dict[str, bytes] = field(default_factory=dict)


class TargetLrs:
    """An LRS's statements resource at `url`/statements. It keeps each statement once by
    id, accepts one sent again with the same content, and answers 409 to other content.
    `failures` are the answers to give next, in order, instead of storing: a status, or
    (status, headers), or "drop" to close the connection unanswered; "lost" stores the
    batch and then answers 500, as when an answer is lost on the way."""

    def __init__(self):
        self.stored: dict[str, dict] = {}
        self.received: list[Received] = []
        self.failures: list = []
        self.delay = 0.0  # seconds each POST takes
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/xapi"

    @property
    def batches(self) -> list[list[str]]:
        """The ids of each batch the target took (status 200), in order."""
        return [received.ids for received in self.received if received.status == 200]

    def _take(self, statements: list[dict]) -> int:
        with self._lock:
            for statement in statements:
                kept = self.stored.get(statement["id"].lower())
                if kept is not None and kept != statement:
                    return 409
            for statement in statements:
                self.stored[statement["id"].lower()] = statement
        return 200

    def _handler(self):
        target = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                time.sleep(target.delay)
                with target._lock:
                    failure = target.failures.pop(0) if target.failures else None
                if failure == "drop":
                    self.close_connection = True
                    return
                document, attachments = _statements_part(self.headers["Content-Type"], body)
                sent = json.loads(document)
                status, headers = None, {}
                if isinstance(failure, int):
                    status = failure
                elif isinstance(failure, tuple):
                    status, headers = failure
                if self.path != "/xapi/statements" or self.headers["Authorization"] != _basic():
                    status = 401
                if failure == "lost":
                    target._take(sent)
                    status = 500
                elif status is None:
                    status = target._take(sent)
                target.received.append(
                    Received(
                        [statement["id"] for statement in sent],
                        self.headers["X-Experience-API-Version"],
                        self.headers["Content-Type"],
                        status,
                        attachments,
                    )
                )
                answer = json.dumps([statement["id"] for statement in sent] if status == 200 else {"error": "no"})
                self.send_response(status)
                for name, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer.encode())

            def log_message(self, *args):
                pass

        return Handler

    def start(self) -> TargetLrs:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _basic() -> str:
    return "Basic " + base64.b64encode(f"{TARGET_KEY}:{TARGET_SECRET}".encode()).decode()


def _statements_part(content_type: str, body: bytes) -> tuple[bytes, dict[str, bytes]]:
    """The statements, and the attachments by hash of a multipart/mixed body."""
    if not content_type.startswith("multipart/mixed"):
        return body, {}
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    first, *rest = message.iter_parts()
    return first.get_payload(decode=True), {
        part["X-Experience-API-Hash"]: part.get_payload(decode=True) for part in rest
    }


@pytest.fixture
def target():
    lrs = TargetLrs().start()
    yield lrs
    lrs.stop()


@pytest.fixture
def make_rule(target, aws):
    """make_rule(**changes): a forwarding rule to `target`, made through the service."""

    def make(**changes) -> forwarding.ForwardingRule:
        given = {
            "name": "School LRS",
            "endpoint": target.url,
            "target_key": TARGET_KEY,
            "target_secret": TARGET_SECRET,
            "version": "2.0.0",
            "created_by": "root",
            **changes,
        }
        return forwarding.forwarding_create(**given)

    return make


TOOL = Principal(
    "test tool",
    {"objectType": "Agent", "account": {"homePage": "https://tool.example", "name": "tool"}},
    frozenset({"all"}),
)


def a_statement(number: int = 0, **changes) -> dict:
    made = {
        "actor": {"objectType": "Agent", "mbox": f"mailto:learner{number}@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
        "object": {"id": f"https://example.com/activities/{number}"},
    }
    return {**made, **changes}


@pytest.fixture
def store(aws):
    """store(*statements, ago=5): store them as a tool does, `ago` seconds ago (so that a
    run now finds them consistent); their ids, in stored order."""

    def put(*sent: dict, ago: float = 5.0, principal: Principal = TOOL) -> list[str]:
        at = datetime.now(UTC) - timedelta(seconds=ago)
        return statements.statements_store(list(sent), principal=principal, version="2.0.0", now=at)

    return put
