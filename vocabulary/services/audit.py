"""The audit trail of one person, for erasing their data: the changes they made stay
(the vocabulary's history is everyone's), their name on them goes."""

from __future__ import annotations

from vocabulary import repositories as repo

ERASED_ACTOR = "(erased)"  # the actor of a change whose author's data was erased


def audit_events_by_actor(*, actor: str) -> list[tuple[str, str]]:
    """(subject, event id) of every change this person made."""
    return repo.audit_event_keys_by_actor(actor)


def audit_actor_erase(*, subject: str, event_id: str, actor: str) -> None:
    """The event names nobody instead of `actor`; done already is fine."""
    repo.audit_actor_replace(subject, event_id, actor=actor, replacement=ERASED_ACTOR)
