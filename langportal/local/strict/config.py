"""Which faults strict mode injects, how often, and how the setting travels in the
environment (LOCAL_AWS_STRICT)."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, fields
from typing import Any


@dataclass(frozen=True)
class Fault:
    """A fault that fires with probability `rate` per eligible request, at most `limit` times
    in all (None: no limit), only for the named operations when `operations` is given, and
    not for the first `after` eligible requests (to cut a long operation in its middle)."""

    rate: float = 0.0
    limit: int | None = None
    operations: frozenset[str] | None = None
    after: int = 0

    def covers(self, operation: str) -> bool:
        return self.rate > 0 and (self.operations is None or operation in self.operations)


FAULT_KINDS = ("stale", "throttle", "conflict", "partial", "lost")
ENVIRONMENT_VARIABLE = "LOCAL_AWS_STRICT"


@dataclass(frozen=True)
class StrictConfig:
    """What strict mode does besides validation and token idempotency (always on).

    lag_ms with `stale`: an eventually consistent read may miss the writes of the last
    lag_ms. contention_ms: how long a committed transaction's items stay "in a transaction",
    conflicting with writes that touch them.
    """

    seed: int = 0
    lag_ms: int = 0
    stale: Fault = Fault()
    throttle: Fault = Fault()
    conflict: Fault = Fault()
    contention_ms: int = 0
    partial: Fault = Fault()
    lost: Fault = Fault()

    @classmethod
    def realistic(cls, seed: int) -> StrictConfig:
        """The profile of LOCAL_AWS_STRICT=1: what a busy table on AWS may do to any request."""
        return cls(
            seed=seed,
            lag_ms=1000,
            stale=Fault(1.0),
            throttle=Fault(0.03),
            conflict=Fault(0.02),
            contention_ms=10,
            partial=Fault(0.2),
            lost=Fault(0.02),
        )

    @classmethod
    def from_env(cls, value: str) -> StrictConfig | None:
        """Parse LOCAL_AWS_STRICT: empty or 0 is off, 1 the realistic profile, otherwise a comma
        list such as `lag_ms=1000,stale=1,throttle=0.03,seed=7` (faults take a rate). Without
        a seed, one is drawn: `to_env()` spells the result, seed included, for a replay."""
        value = value.strip()
        if value in ("", "0"):
            return None
        if value == "1":
            return cls.realistic(seed=secrets.randbelow(2**31))
        settings: dict[str, Any] = {"seed": secrets.randbelow(2**31)}
        for part in filter(None, (part.strip() for part in value.split(","))):
            name, _, text = (piece.strip() for piece in part.partition("="))
            settings[name] = _setting(name, text)
        return cls(**settings)

    def to_env(self) -> str:
        """This configuration as LOCAL_AWS_STRICT spells it (faults' limits and operations have
        no spelling there: they are for tests)."""
        parts = []
        for setting in fields(self):
            value = getattr(self, setting.name)
            if isinstance(value, Fault):
                if value.rate:
                    parts.append(f"{setting.name}={value.rate:g}")
            elif value and setting.name != "seed":
                parts.append(f"{setting.name}={value}")
        return ",".join([*parts, f"seed={self.seed}"])


def _setting(name: str, text: str) -> Any:
    """One `name=value` of LOCAL_AWS_STRICT, checked."""
    known = [setting.name for setting in fields(StrictConfig)]
    if name not in known:
        raise ValueError(
            f"{ENVIRONMENT_VARIABLE}: unknown setting {name!r}; use 0, 1 or a comma list of name=value with the "
            f"names {', '.join(known)}."
        )
    try:
        number = float(text) if name in FAULT_KINDS else int(text)
    except ValueError:
        raise ValueError(f"{ENVIRONMENT_VARIABLE}: {name}={text!r} is not a number.") from None
    if name in FAULT_KINDS:
        if not 0 <= number <= 1:
            raise ValueError(f"{ENVIRONMENT_VARIABLE}: {name} is a rate between 0 and 1, not {text}.")
        return Fault(number)
    if number < 0 and name != "seed":
        raise ValueError(f"{ENVIRONMENT_VARIABLE}: {name} cannot be negative.")
    return number


def fault_streams(seed: int) -> dict[str, random.Random]:
    """One generator per fault, all drawn from random.Random(seed). Whether a read can be
    stale depends on timing; with its own stream it cannot shift the other faults' draws."""
    master = random.Random(seed)  # noqa: S311 (seeded on purpose: a run's faults can be replayed)
    return {kind: random.Random(master.getrandbits(64)) for kind in FAULT_KINDS}  # noqa: S311
