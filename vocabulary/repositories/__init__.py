"""The only code that reads and writes vocabulary in DynamoDB.

Words and groups are read by key, consistently. Listings read ordered indexes
(langportal.storage.orderindex): one per sort order over all words, one per sort order over each
group's words, and one over groups by name. Every write changes the items and their index
entries in one transaction, and makes one attempt: a write that loses a race raises
Contended (WordChanged, GroupChanged, IndexMoved) for the service to read again and retry.
Access patterns, costs and consistency: docs/data-model.md.

One module per concern: records (Word, Group, their items, the races), entries (index
entries), words, groups, audit, bulk (imports too large for a transaction).
"""

from vocabulary.repositories.audit import AuditEvent, audit_actor_replace, audit_event_keys_by_actor, audit_events
from vocabulary.repositories.bulk import records_index, records_store
from vocabulary.repositories.entries import GROUPS_INDEX, SORT_ORDERS, words_index
from vocabulary.repositories.groups import (
    group_get,
    group_word_ids,
    group_write,
    groups_get,
    groups_named,
    groups_page,
)
from vocabulary.repositories.records import Group, GroupChanged, GroupNotFound, Word, WordChanged, replace_word
from vocabulary.repositories.words import (
    word_get,
    word_ids_page,
    words_get,
    words_total,
    words_with_prefix,
    words_write,
    words_written,
)

__all__ = [
    "GROUPS_INDEX",
    "SORT_ORDERS",
    "AuditEvent",
    "Group",
    "GroupChanged",
    "GroupNotFound",
    "Word",
    "WordChanged",
    "audit_actor_replace",
    "audit_event_keys_by_actor",
    "audit_events",
    "group_get",
    "group_word_ids",
    "group_write",
    "groups_get",
    "groups_named",
    "groups_page",
    "records_index",
    "records_store",
    "replace_word",
    "word_get",
    "word_ids_page",
    "words_get",
    "words_index",
    "words_total",
    "words_with_prefix",
    "words_write",
    "words_written",
]
