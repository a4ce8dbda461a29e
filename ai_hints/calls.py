"""Bounds on model calls, so that a slow or hanging model cannot hold the web server.

Each process runs at most AI_MAX_CONCURRENT_CALLS model calls at once, each in a
thread of a small pool of its own: the request thread waits for the answer only until
its hint's deadline, then moves on to the next provider. A call given up on keeps its
slot until it really ends (the clients' own timeouts end it), so a hanging model
never has more than that many calls in flight, and later hints skip it at once.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from ai_hints.backends.base import BackendFailed

SLOT_WAIT = 0.05  # seconds a hint waits for a free slot: a busy model is skipped, not queued for


class Deadline:
    """The time left of a budget of `seconds`, on the monotonic clock."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._end = clock() + seconds

    def left(self) -> float:
        return max(0.0, self._end - self._clock())


class NoSlot(BackendFailed):
    """Every model call slot of this process is taken."""


class OutOfTime(BackendFailed):
    """The hint's deadline came before the model's answer."""


class ModelCalls:
    """At most `limit` model calls at once, each waited for until a deadline."""

    def __init__(self, limit: int):
        self.limit = limit
        self._slots = threading.BoundedSemaphore(limit)
        self._pool = ThreadPoolExecutor(max_workers=limit, thread_name_prefix="model-call")

    def run(self, call: Callable[[], str], *, deadline: Deadline) -> str:
        """What `call` returns (or raises), if it ends before the deadline."""
        if deadline.left() <= 0:
            raise OutOfTime("the hint's time was spent before this provider's turn")
        if not self._slots.acquire(timeout=min(SLOT_WAIT, deadline.left())):
            raise NoSlot(f"all {self.limit} model call slots of this process are busy")
        try:
            future = self._pool.submit(call)
        except BaseException:
            self._slots.release()
            raise
        future.add_done_callback(lambda _: self._slots.release())
        waited = deadline.left()
        try:
            return future.result(timeout=waited)
        except TimeoutError:
            raise OutOfTime(f"no answer within the {waited:.1f} s left of the hint's deadline") from None


@functools.cache
def model_calls(limit: int) -> ModelCalls:
    """This process's model calls (one pool per limit, so settings changed in tests apply)."""
    return ModelCalls(limit)
