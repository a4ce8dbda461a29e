"""Groups in DynamoDB: read by key (consistently) or through the index by name, and
written with their index entry and audit event in one transaction."""

from __future__ import annotations

from langportal.idempotency import Claim
from langportal.storage import orderindex
from langportal.storage.dynamo import Transaction, batch_get, dynamodb_errors
from langportal.storage.orderindex import sort_key
from vocabulary.models import GroupModel
from vocabulary.repositories.audit import audit_action, audit_stage
from vocabulary.repositories.entries import GROUPS_INDEX, SORT_ORDERS, group_change, words_index
from vocabulary.repositories.records import Group, GroupChanged, group_from_item, group_item

NAMED_LIMIT = 100  # groups read to find the ones of one name: more of one name is a mistake


def group_get(group_id: str) -> Group | None:
    with dynamodb_errors():
        try:
            return group_from_item(GroupModel.get(group_id, consistent_read=True))
        except GroupModel.DoesNotExist:
            return None


def groups_get(group_ids: list[str]) -> list[Group]:
    found = {item.id: group_from_item(item) for item in batch_get(GroupModel, group_ids)}
    return [found[group_id] for group_id in group_ids if group_id in found]


def groups_named(name: str) -> list[Group]:
    """Groups called exactly `name`, oldest first, found through the index by name."""
    candidates = orderindex.seek(GROUPS_INDEX, sort_key(name), limit=NAMED_LIMIT)
    found = [group for group in groups_get(candidates) if group.name == name]
    return sorted(found, key=lambda group: int(group.id))


def groups_page(*, descending: bool, offset: int, limit: int):
    page = orderindex.read_slice(GROUPS_INDEX, offset=offset, limit=limit, descending=descending)
    return groups_get(page.ids), page.total


def group_word_ids(group_id: str, *, offset: int, limit: int) -> list[str]:
    """Ids of a group's words, in Japanese order."""
    return orderindex.read_slice(words_index("japanese", group_id), offset=offset, limit=limit).ids


def group_write(old: Group | None, new: Group | None, *, actor: str | None = None, claim: Claim | None = None) -> None:
    """Create, rename or delete a group with its entry in the groups index, in one
    transaction with its audit event (when a person, `actor`, made the change) and the
    request's Idempotency-Key (`claim`).

    A group changed since `old` was read, or a new group's id taken, raises GroupChanged.
    Deleting takes the group's word indexes with it, which must be empty: IndexMoved if
    a word joined meanwhile.
    """
    transaction = Transaction()
    subject = f"group:{(new or old).id}"
    if actor:
        audit_stage(transaction, subject, old, new, actor=actor, action=audit_action(old, new))
    if new is None:
        transaction.delete(GroupModel(old.id), condition=GroupModel.revision == old.revision, failure=GroupChanged)
        orderindex.stage_drop(transaction, [words_index(order, old.id) for order in SORT_ORDERS])
    elif old is None:
        transaction.put(group_item(new), condition=GroupModel.id.does_not_exist(), failure=GroupChanged)
    else:
        transaction.update(
            GroupModel(new.id),
            actions=[
                GroupModel.name.set(new.name),
                GroupModel.updated_at.set(new.updated_at),
                GroupModel.revision.add(1),
            ],
            condition=GroupModel.revision == old.revision,
            failure=GroupChanged,
        )
    if claim:
        claim.stage(transaction)
    orderindex.stage(transaction, group_change(old, new))
    transaction.commit()
