"""ETags and the preconditions a write of a document may carry: If-Match and
If-None-Match, evaluated as RFC 9110 (section 13) says, which xAPI's concurrency control
(2.0.0 4.1.4, 1.0.3 Communication 3.1) builds on."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from langportal.errors import DomainError, InvalidInput

_TAG = re.compile(r'\s*(W/)?"([\x21\x23-\x7e\x80-\xff]*)"\s*(?:,|$)')


class PreconditionFailed(DomainError):
    status, code = 412, "precondition_failed"
    default_message = "The request's If-Match or If-None-Match does not hold."


def etag_of(content: bytes) -> str:
    """A document's ETag, as the standard computes it: the SHA-1 of its content, in hex."""
    return hashlib.sha1(content, usedforsecurity=False).hexdigest()


def etag_header(etag: str) -> str:
    return f'"{etag}"'


@dataclass(frozen=True)
class EntityTags:
    """The value of If-Match or If-None-Match: `*`, or a list of entity tags."""

    any: bool = False
    strong: frozenset[str] = frozenset()
    weak: frozenset[str] = frozenset()

    def matches(self, etag: str, *, weakly: bool) -> bool:
        """Strong comparison (If-Match) never matches a weak tag; weak comparison
        (If-None-Match) does."""
        return self.any or etag in self.strong or (weakly and etag in self.weak)


@dataclass(frozen=True)
class Preconditions:
    if_match: EntityTags | None = None
    if_none_match: EntityTags | None = None

    @property
    def given(self) -> bool:
        return self.if_match is not None or self.if_none_match is not None


NONE = Preconditions()


def preconditions_parsed(*, if_match: str | None, if_none_match: str | None) -> Preconditions:
    return Preconditions(_tags(if_match, "If-Match"), _tags(if_none_match, "If-None-Match"))


def _tags(value: str | None, name: str) -> EntityTags | None:
    if value is None:
        return None
    if value.strip() == "*":
        return EntityTags(any=True)
    strong, weak, position = set(), set(), 0
    while position < len(value):
        found = _TAG.match(value, position)
        if found is None or found.end() == position:
            raise InvalidInput(f'{name} is * or a list of quoted ETags, such as "{etag_of(b"")}".')
        (weak if found.group(1) else strong).add(found.group(2))
        position = found.end()
    if not strong and not weak:
        raise InvalidInput(f"{name} is * or a list of quoted ETags.")
    return EntityTags(strong=frozenset(strong), weak=frozenset(weak))


def preconditions_check(preconditions: Preconditions, etag: str | None) -> None:
    """PreconditionFailed (412) unless the preconditions hold for the document stored: its
    ETag, or None when none is."""
    if_match, if_none_match = preconditions.if_match, preconditions.if_none_match
    if if_match is not None:
        if etag is None:
            raise PreconditionFailed("No document is stored here, so If-Match does not hold.")
        if not if_match.matches(etag, weakly=False):
            raise PreconditionFailed("The document changed: its ETag is not the one If-Match gives. GET it again.")
    if if_none_match is not None and etag is not None and if_none_match.matches(etag, weakly=True):
        raise PreconditionFailed("A document is stored here already, and If-None-Match says to store none over it.")
