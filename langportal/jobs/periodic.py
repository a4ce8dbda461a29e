"""Tasks that run on a schedule rather than from the queue, registered by the app that
owns each (in its AppConfig's `ready`), so that the runner knows no app.

On AWS an EventBridge schedule invokes the periodic Lambda (`lambdas.run_periodic`)
once a minute; locally the jobs worker runs them every few seconds between polls. A task
is a function of the seconds it may take; it must be safe to run again at any time, and
alongside another run of itself (two invocations may overlap).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

logger = logging.getLogger(__name__)

Task = Callable[..., object]  # called as task(seconds=...): what it did, as JSON can hold it

_registry: dict[str, Task] = {}


def register(name: str, function: Task) -> None:
    if _registry.get(name, function) is not function:
        raise ValueError(f"Two periodic tasks are called {name!r}.")
    _registry[name] = function


def names() -> list[str]:
    return sorted(_registry)


def run_all(*, seconds: float, clock: Callable[[], float] = time.monotonic) -> dict[str, object]:
    """Run every task once, in the order of their names, each given the time left of
    `seconds` (never less than none). A task that fails is logged and reported as
    "failed"; the others still run."""
    ends = clock() + seconds
    done: dict[str, object] = {}
    for name in names():
        try:
            done[name] = _registry[name](seconds=max(ends - clock(), 0.0))
        except Exception:
            logger.exception("The periodic task %s failed; it runs again at the next tick.", name)
            done[name] = "failed"
    return done
