"""Failed admin sign-ins are counted per username and per address, in counters every
instance shares; past either limit, the sign-in page answers 429 without asking Cognito
until the window ends. Cognito's own protection (advanced security, lockout) comes on top.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings

from langportal import ratelimit
from langportal.errors import TooManyRequests


def client_address(request) -> str:
    """The address of whoever sent `request`: REMOTE_ADDR, or with TRUSTED_PROXY_HOPS proxies
    in front of us (each appending to X-Forwarded-For), the entry the farthest of them wrote."""
    hops = settings.TRUSTED_PROXY_HOPS
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if hops and len(forwarded) >= hops:
        return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "")


def _windows(request, username: str) -> list[tuple[ratelimit.Window, int]]:
    now, seconds = datetime.now(UTC), settings.ADMIN_SIGN_IN_WINDOW_SECONDS
    user = ratelimit.Window(f"sign-in#user#{username.casefold()}", seconds, now)
    address = ratelimit.Window(f"sign-in#address#{client_address(request)}", seconds, now)
    return [(user, settings.ADMIN_SIGN_IN_FAILURES_PER_USER), (address, settings.ADMIN_SIGN_IN_FAILURES_PER_ADDRESS)]


def check(request, username: str) -> None:
    """Raise TooManyRequests (429) when this username or this address has failed too often in
    this window and the one before: failures just before a window ends still count after it."""
    windows = _windows(request, username)
    counts = ratelimit.counted([w for window, _limit in windows for w in (window, window.previous)])
    for (window, limit), current, previous in zip(windows, counts[::2], counts[1::2], strict=True):
        if current + previous >= limit:
            # Once this window ends, only its own failures count: wait one more if they suffice.
            wait = window.retry_after + (window.seconds if current >= limit else 0)
            minutes = max(1, round(wait / 60))
            raise TooManyRequests(
                f"Too many failed sign-ins. Try again in {minutes} minute{'s' if minutes > 1 else ''}.",
                retry_after=wait,
            )


def failed(request, username: str) -> None:
    """Count a wrong password or a wrong one-time code."""
    for window, _limit in _windows(request, username):
        ratelimit.count(window)
