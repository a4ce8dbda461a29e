"""What a study record's write can meet in storage; the services say what it means."""

from langportal.errors import Conflict, Contended


class SessionClosed(Conflict):
    """The session is gone or has ended (the service tells which)."""


class ReviewStored(Conflict):
    """This review is stored already: an earlier attempt of ours went through after all."""


class StudyMoved(Contended):
    """Another review of the same word or day came first: the card and streak were
    computed from what was read, so read again and retry."""
