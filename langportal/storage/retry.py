"""The one retry policy for work that loses races: bounded, with exponential backoff and
full jitter between attempts, then a 503.

Two layers retry, each for its own failures:
- botocore, per request (standard mode, `AWS_MAX_ATTEMPTS`, configured in
  `langportal.aws.client_config` and `langportal.storage.dynamo.BaseMeta`): throttling, 5xx answers
  and lost connections. A resent TransactWriteItems keeps its ClientRequestToken, so
  DynamoDB applies it once.
- this module, per operation: a transaction cancelled by another writer or by throttling,
  a condition that failed because someone changed what we read (`Contended`), and batch
  items DynamoDB left unprocessed. The operation reads again and builds its writes anew.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from langportal.errors import Contended, Unavailable

T = TypeVar("T")


@dataclass(frozen=True)
class Backoff:
    """`attempts` tries with full-jitter exponential backoff between them (AWS's advice)."""

    attempts: int = 8
    base: float = 0.02  # seconds before the second attempt, at most
    cap: float = 1.0  # longest wait between two attempts

    def delays(self) -> Iterator[float]:
        """The waits between attempts: one fewer than the attempts."""
        for attempt in range(self.attempts - 1):
            yield random.uniform(0, min(self.cap, self.base * 2**attempt))  # noqa: S311 (jitter, not a secret)


# At most 8 attempts and about 2.5 s of waiting, well inside API Gateway's 30 s.
BACKOFF = Backoff()
# A client's own retries of a request that got a 503: fewer, longer waits.
RESEND = Backoff(attempts=4, base=0.5, cap=4.0)


def retrying(operation: Callable[[], T], *, backoff: Backoff = BACKOFF) -> T:
    """Run `operation` until it does not lose a race: Contended means read again and retry.

    `operation` must do its reads itself, so each attempt works on fresh data. The last
    attempt's Contended reaches the caller (a 503 with Retry-After).
    """
    return _repeated(operation, Contended, backoff)


def waits(backoff: Backoff = BACKOFF) -> Iterator[bool]:
    """Pauses for a loop that resends what DynamoDB left undone (unprocessed batch items):
    each `next()` waits, then yields True; None (exhausted) once the attempts are spent."""
    for delay in backoff.delays():
        time.sleep(delay)
        yield True


def resending(operation: Callable[[], T], *, backoff: Backoff = RESEND) -> T:
    """Run `operation` again while DynamoDB is unavailable (503), as a client would.

    Only for operations that are safe to repeat (made under an Idempotency-Key): an
    answer lost past botocore's last attempt may hide a write that was made.
    """
    return _repeated(operation, Unavailable, backoff)


def _repeated(operation: Callable[[], T], failure: type[Exception], backoff: Backoff) -> T:
    for delay in backoff.delays():
        try:
            return operation()
        except failure:
            time.sleep(delay)
    return operation()
