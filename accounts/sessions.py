"""Django's session API on DynamoDB, for the admin's teachers.

Sessions are server-side so that signing out ends one everywhere: every web instance
reads the same table, instances can be replaced at will, and a cookie copied before a
sign-out names nothing after it. Django's own database backend would keep them in each
instance's SQLite cache of users, and its cache backend would need a shared cache we do
not run; the only DynamoDB backend on PyPI has not been released since 2015.

Reads are consistent (a session just ended is never read back from a stale replica),
and a save never brings back a session deleted meanwhile: updates are conditional on
the item still being there, which Django answers with SessionInterrupted.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from django.contrib import admin
from django.contrib.sessions import middleware
from django.contrib.sessions.backends.base import CreateError, SessionBase, UpdateError
from pynamodb.exceptions import DoesNotExist

from accounts import admin_access
from accounts.models import AdminSessionModel
from langportal.errors import Conflict, DomainError
from langportal.storage.dynamo import dynamodb_errors
from langportal.storage.retry import retrying


def stored_key(session_key: str) -> str:
    """The table's key for a cookie's session key."""
    return hashlib.sha256(session_key.encode()).hexdigest()


class SessionStore(SessionBase):
    def load(self) -> dict:
        item = self._item(self.session_key) if self.session_key else None
        if item is None or item.expires_at <= datetime.now(UTC):
            self._session_key = None
            return {}
        return self.decode(item.data)

    def exists(self, session_key: str) -> bool:
        return self._item(session_key) is not None

    def create(self) -> None:
        while True:
            self._session_key = self._get_new_session_key()
            try:
                self.save(must_create=True)
            except CreateError:
                continue  # a key already taken: draw another
            self.modified = True
            return

    def save(self, must_create: bool = False) -> None:
        if self.session_key is None:
            return self.create()
        item = AdminSessionModel(
            stored_key(self.session_key),
            data=self.encode(self._get_session(no_load=must_create)),
            expires_at=self.get_expiry_date(),
        )
        condition = AdminSessionModel.key.does_not_exist() if must_create else AdminSessionModel.key.exists()
        try:
            # A create whose answer botocore lost and resent fails its condition the second
            # time: another key is drawn, and the first item expires unused.
            retrying(lambda: self._put(item, condition))
        except Conflict as error:
            raise (CreateError if must_create else UpdateError) from error

    def delete(self, session_key: str | None = None) -> None:
        session_key = session_key or self.session_key
        if session_key is None:
            return
        retrying(lambda: self._delete(AdminSessionModel(stored_key(session_key))))

    @classmethod
    def clear_expired(cls) -> None:
        """Nothing to do: the table's TTL deletes expired sessions, and reads skip them first."""

    # Writes that meet a transaction on the item (TransactionConflictException) were not
    # made: `retrying` makes them again.
    @staticmethod
    def _put(item: AdminSessionModel, condition) -> None:
        with dynamodb_errors():
            item.save(condition=condition)

    @staticmethod
    def _delete(item: AdminSessionModel) -> None:
        with dynamodb_errors():
            item.delete()

    @staticmethod
    def _item(session_key: str) -> AdminSessionModel | None:
        with dynamodb_errors():
            try:
                return AdminSessionModel.get(stored_key(session_key), consistent_read=True)
            except DoesNotExist:
                return None


class SessionMiddleware(middleware.SessionMiddleware):
    """Django's, answering with the admin's error page (503) when a session cannot be saved."""

    def process_response(self, request, response):
        try:
            return super().process_response(request, response)
        except DomainError as error:
            admin_access.drawn_for_nobody(request)
            return admin.site.error_page(request, error).render()
