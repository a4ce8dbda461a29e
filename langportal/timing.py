"""Server-Timing: how long each request waited on DynamoDB, for operators (a browser's
developer tools show it) and for `make bench`, which reads it over HTTP.

With SERVER_TIMING on, every answer carries
`Server-Timing: dynamodb;dur=<ms>;desc="<calls> calls", app;dur=<ms>`: `dynamodb` is the
time during which at least one of the request's DynamoDB calls was under way, as the app
saw them (botocore's signing, the network, DynamoDB, parsing the answer), overlapping
calls counted once; `app` is the rest of the request's time in the app. Calls made from
a worker thread count when it runs in the request's context (contextvars).
"""

from __future__ import annotations

import threading
import time
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.conf import settings

from langportal.storage.dynamo import dynamodb_clients

_calls: ContextVar[DynamoDBCalls | None] = ContextVar("dynamodb_calls", default=None)
_began = threading.local()


@dataclass
class DynamoDBCalls:
    """The (began, ended) times of one request's DynamoDB calls."""

    spans: list[tuple[float, float]] = field(default_factory=list)

    def waited_seconds(self) -> float:
        """The time during which at least one call was under way."""
        total, covered_to = 0.0, float("-inf")
        for began, ended in sorted(self.spans):
            if ended > covered_to:
                total += ended - max(began, covered_to)
                covered_to = ended
        return total


def _call_began(**kwargs) -> None:
    _began.at = time.perf_counter()


def _call_ended(**kwargs) -> None:
    calls = _calls.get()
    if calls is not None:
        calls.spans.append((_began.at, time.perf_counter()))


class ServerTimingMiddleware:
    """Adds Server-Timing when SERVER_TIMING is on; does nothing otherwise."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._hooked: set[int] = set()
        self._lock = threading.Lock()

    def __call__(self, request):
        if not settings.SERVER_TIMING:
            return self.get_response(request)
        self._hook_new_clients()
        calls = DynamoDBCalls()
        token = _calls.set(calls)
        began = time.perf_counter()
        try:
            response = self.get_response(request)
        finally:
            _calls.reset(token)
        waited = calls.waited_seconds() * 1000
        spent = (time.perf_counter() - began) * 1000
        response["Server-Timing"] = (
            f'dynamodb;dur={waited:.2f};desc="{len(calls.spans)} calls", app;dur={spent - waited:.2f}'
        )
        return response

    def _hook_new_clients(self) -> None:
        """Hook every DynamoDB client once (the app may make new ones as it runs)."""
        with self._lock:
            for client in dynamodb_clients():
                if id(client) not in self._hooked:
                    # Clients may share one emitter: a unique id registers each hook once.
                    events = client.meta.events
                    events.register("before-call.dynamodb", _call_began, unique_id="langportal.timing.began")
                    events.register("after-call.dynamodb", _call_ended, unique_id="langportal.timing.ended")
                    self._hooked.add(id(client))
