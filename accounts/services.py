"""What other apps may ask of accounts: who the students are."""

from __future__ import annotations

from accounts import cognito, roles
from accounts.cognito import Member


def students_page(*, next_token: str | None = None) -> tuple[list[Member], str | None]:
    """One page of the pool's students, with the token of the next page (400 for a token
    Cognito did not give)."""
    return cognito.group_members(group=roles.STUDENTS, next_token=next_token)
