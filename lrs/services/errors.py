"""The study records' errors that reach a caller (their status and code come with them)."""

from langportal.errors import Conflict, NotFound


class SessionNotFound(NotFound):
    code = "session_not_found"
    default_message = "No such study session."


class SessionEnded(Conflict):
    code = "session_ended"
    default_message = "This study session has ended."


class StudentNotFound(NotFound):
    code = "student_not_found"
    default_message = "No such student."
