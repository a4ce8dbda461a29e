"""Documents of the state and profile resources (see xapi.models.DocumentModel), with the
content of a large one in S3.

Every write is conditioned on the revision that was read, so a document changed meanwhile
is never overwritten (DocumentChanged: read it again). A large content goes to S3 under a
key of its own before the item that points at it, and the key of the content it replaced
is removed after: a document is never half written, and a reader that finds its item's
content gone (replaced meanwhile) reads again. An outage between the two writes may leave
content that no item points at, never an item without its content.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from botocore.exceptions import ClientError
from django.conf import settings

from langportal import aws
from langportal.errors import Conflict, Contended, Unavailable
from langportal.storage.dynamo import dynamodb_errors
from xapi.models import DocumentModel

logger = logging.getLogger(__name__)

PREFIX = "xapi/documents/"
_LISTED = ["document_id", "content_key", "content_type", "etag", "updated", "revision"]


class DocumentChanged(Contended):
    """The document was changed, stored or deleted since it was read: read it again."""


@dataclass(frozen=True)
class StoredDocument:
    scope: str
    document_id: str
    content_type: str
    etag: str
    updated: str  # ISO 8601 in UTC with microseconds, so that it sorts as text
    revision: str
    content_key: str | None = None
    content: bytes | None = None  # None when it was not read


@dataclass(frozen=True)
class NewDocument:
    scope: str
    document_id: str
    content: bytes
    content_type: str
    etag: str
    updated: str
    agent_key: str | None = None  # the Agent it belongs to, for an erasure to find it


def _stored(item: DocumentModel, content: bytes | None) -> StoredDocument:
    return StoredDocument(
        scope=item.scope,
        document_id=item.document_id,
        content_type=item.content_type,
        etag=item.etag,
        updated=item.updated,
        revision=item.revision,
        content_key=item.content_key,
        content=content,
    )


def _item(scope: str, document_id: str) -> DocumentModel | None:
    with dynamodb_errors():
        try:
            return DocumentModel.get(scope, document_id, consistent_read=True)
        except DocumentModel.DoesNotExist:
            return None


def document_get(scope: str, document_id: str, *, content: bool = True) -> StoredDocument | None:
    """One document (consistent read), with its content unless `content` is False."""
    item = _item(scope, document_id)
    if item is None:
        return None
    if not content:
        return _stored(item, None)
    return _stored(item, _content_read(item.content_key) if item.content_key else (item.content or b""))


def documents_listed(scope: str, *, since: str | None = None) -> list[StoredDocument]:
    """The documents of one partition, without their content, in id order; with `since`
    (a time as stored), only those updated after it."""
    condition = DocumentModel.updated > since if since is not None else None
    with dynamodb_errors():
        items = DocumentModel.query(scope, filter_condition=condition, consistent_read=True, attributes_to_get=_LISTED)
        return [_stored(item, None) for item in items]


def document_put(document: NewDocument, *, replacing: StoredDocument | None) -> None:
    """Store `document` in place of `replacing` (None: where none is stored).

    DocumentChanged when the item is no longer `replacing`. A write whose answer was lost
    and whose resend then failed its condition is recognised by its revision.
    """
    revision = uuid.uuid4().hex
    key = None
    if len(document.content) > settings.XAPI_DOCUMENT_INLINE_BYTES:
        key = f"{PREFIX}{_digest(document.scope, document.document_id)}/{revision}"
        _content_write(key, document.content, document.content_type)
    item = DocumentModel(
        document.scope,
        document.document_id,
        content=None if key else document.content,
        content_key=key,
        content_type=document.content_type,
        etag=document.etag,
        updated=document.updated,
        revision=revision,
        agent_key=document.agent_key,
    )
    try:
        with dynamodb_errors():
            item.save(condition=_unchanged(replacing))
    except Conflict:
        found = _item(document.scope, document.document_id)
        if found is None or found.revision != revision:
            if key:
                _content_forget(key)
            raise DocumentChanged() from None
    if replacing is not None and replacing.content_key:
        _content_forget(replacing.content_key)


def documents_of_agent(agent_key: str) -> Iterator[tuple[str, str]]:
    """The (scope, document id) of every document of one Agent: from a global index, so a
    document stored in the last second may be missing (an erasure plans again at its end)."""
    with dynamodb_errors():
        for item in DocumentModel.of_agent.query(agent_key):
            yield item.scope, item.document_id


def document_delete(document: StoredDocument) -> None:
    """Delete `document` and its content (DocumentChanged when it is no longer the one
    stored; one deleted meanwhile is gone either way)."""
    try:
        with dynamodb_errors():
            DocumentModel(document.scope, document.document_id).delete(condition=_unchanged(document))
    except Conflict:
        if _item(document.scope, document.document_id) is not None:
            raise DocumentChanged() from None
    if document.content_key:
        _content_forget(document.content_key)


def _unchanged(read: StoredDocument | None):
    if read is None:
        return DocumentModel.scope.does_not_exist()
    return DocumentModel.revision == read.revision


def _digest(scope: str, document_id: str) -> str:
    return hashlib.sha256(f"{scope}\n{document_id}".encode()).hexdigest()[:32]


# --- content in S3 ---------------------------------------------------------------------


def _content_write(key: str, content: bytes, content_type: str) -> None:
    with aws.unavailable_on_outage("File storage"):
        aws.client("s3").put_object(Bucket=settings.MEDIA_BUCKET, Key=key, Body=content, ContentType=content_type)


def _content_read(key: str) -> bytes:
    with aws.unavailable_on_outage("File storage"):
        try:
            answer = aws.client("s3").get_object(Bucket=settings.MEDIA_BUCKET, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise DocumentChanged() from None  # replaced since the item was read
            raise
        with answer["Body"] as body:
            return body.read()


def _content_forget(key: str) -> None:
    """Remove content no item points at; during an outage it is left behind, as the
    document it belonged to is already stored or gone."""
    try:
        with aws.unavailable_on_outage("File storage"):
            aws.client("s3").delete_object(Bucket=settings.MEDIA_BUCKET, Key=key)
    except Unavailable:
        logger.warning("The document content %s was left in S3: file storage is unavailable.", key)
