"""The xAPI store's tables; access patterns in docs/data-model.md and docs/xapi.md."""

from pynamodb.attributes import (
    BinaryAttribute,
    BooleanAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
)
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection

from langportal.storage.dynamo import BaseMeta, TableModel, table_name


class StatementModel(TableModel):
    """Statements and what they are found by, in one table.

    A statement is the item (`statement#<id>`, `-`) holding it as stored. Each way it can
    be queried (its actor, verb, activity, registration, ..., and `all`) is an index item
    (`<family>#<digest of the value>`, `<stored>#<id>`), so that every query is a key
    query in stored order; an index item carries every family key of its statement, so a
    query with several filters reads one family and tests the others on each item.
    """

    class Meta(BaseMeta):
        table_name = table_name("xapi-statements")

    key = UnicodeAttribute(hash_key=True)
    sort = UnicodeAttribute(range_key=True)
    statement_id = UnicodeAttribute(null=True)
    families = UnicodeSetAttribute(null=True)
    # The statement item alone:
    body = UnicodeAttribute(null=True)  # the statement as stored, JSON
    digest = UnicodeAttribute(null=True)  # of what the client sent, to tell a resend from a conflict
    stored = UnicodeAttribute(null=True)
    voided = BooleanAttribute(null=True)
    attachments = UnicodeSetAttribute(null=True)  # the sha2 of each attachment kept in S3


class DocumentsOfAgentIndex(GlobalSecondaryIndex):
    """The state and agent profile documents of one Agent (sparse: activity profiles have
    none), for erasing someone's data."""

    class Meta:
        index_name = "by-agent"
        projection = KeysOnlyProjection()

    agent_key = UnicodeAttribute(hash_key=True)


class DocumentModel(TableModel):
    """A document of the state, activity profile or agent profile resources: the
    partition is what the document is about (`<resource>#<digest of activity, agent and
    registration>`), the sort key its id. Content past XAPI_DOCUMENT_INLINE_BYTES is in S3
    under `content_key`.

    `revision` is a random id given by each write. A write conditioned on it changes the
    item only if it is still the one that was read; a counter would not do, as it starts
    again when a document is deleted and stored anew.
    """

    class Meta(BaseMeta):
        table_name = table_name("xapi-documents")

    scope = UnicodeAttribute(hash_key=True)
    document_id = UnicodeAttribute(range_key=True)
    content = BinaryAttribute(null=True, legacy_encoding=False)
    content_key = UnicodeAttribute(null=True)
    content_type = UnicodeAttribute()
    etag = UnicodeAttribute()  # the SHA-1 of the content, in hexadecimal
    updated = UnicodeAttribute()  # ISO 8601 in UTC with microseconds, so that it sorts as text
    revision = UnicodeAttribute()
    agent_key = UnicodeAttribute(null=True)  # the digest of the Agent it belongs to
    of_agent = DocumentsOfAgentIndex()


class ActivityModel(TableModel):
    """An activity's canonical definition, as the statements that defined it last gave it."""

    class Meta(BaseMeta):
        table_name = table_name("xapi-activities")

    activity_key = UnicodeAttribute(hash_key=True)
    activity = UnicodeAttribute()  # the Activity object, JSON
    updated = UnicodeAttribute()


class CredentialModel(TableModel):
    """A Basic credential of an xAPI client: its key, a digest of its secret and its scopes."""

    class Meta(BaseMeta):
        table_name = table_name("xapi-credentials")

    key = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute()
    secret_digest = UnicodeAttribute()
    scopes = UnicodeSetAttribute()
    created = UnicodeAttribute()
    created_by = UnicodeAttribute()
    revoked = UnicodeAttribute(null=True)


class ForwardingModel(TableModel):
    """A rule forwarding statements to another LRS: where and as whom, which statements,
    and how far it has got (`cursor`: the sort key of the last `all` index item looked at).
    Every rule is in one partition (`kind` is "rule"), read whole by a query: an
    administrator makes a few."""

    class Meta(BaseMeta):
        table_name = table_name("xapi-forwarding")

    kind = UnicodeAttribute(hash_key=True)
    rule_id = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute()
    endpoint = UnicodeAttribute()  # the target's xAPI base URL
    target_key = UnicodeAttribute()
    target_secret = UnicodeAttribute()  # sent with every batch, so kept as it is (docs/security.md)
    version = UnicodeAttribute()
    verbs = UnicodeSetAttribute(null=True)
    activity_prefix = UnicodeAttribute(null=True)
    langportal_only = BooleanAttribute()
    enabled = BooleanAttribute()
    created = UnicodeAttribute()
    created_by = UnicodeAttribute()
    cursor = UnicodeAttribute(null=True)
    forwarded = NumberAttribute(default=0)
    failures = NumberAttribute(default=0)  # in a row, for the backoff
    last_error = UnicodeAttribute(null=True)
    failed_at = UnicodeAttribute(null=True)
    retry_at = UnicodeAttribute(null=True)
