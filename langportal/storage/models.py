"""The storage layer's own tables: the nodes of ordered indexes and the id sequences."""

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from langportal.storage.dynamo import BaseMeta, TableModel, table_name


class OrderNodeModel(TableModel):
    """One node of an ordered index (see langportal/storage/orderindex.py and docs/data-model.md).

    A leaf (level 0) holds sorted entries; a branch or a root above it lists its
    children in order, each as id, count and first entry. Both are packed in one string
    with control characters as separators, which keeps items small and cheap to read.
    The root (node "root") carries the index's version.
    """

    class Meta(BaseMeta):
        table_name = table_name("order-index")

    index = UnicodeAttribute(hash_key=True)
    node = UnicodeAttribute(range_key=True)
    version = NumberAttribute(null=True)  # the root's
    level = NumberAttribute(null=True)  # absent on roots written before levels: 1
    pointers = UnicodeAttribute(null=True)
    entries = UnicodeAttribute(null=True)
    created_at = NumberAttribute(null=True)  # seconds since the epoch, on nodes other than the root


class SequenceModel(TableModel):
    """A named counter that hands out ids ("1", "2", ...) with atomic ADD."""

    class Meta(BaseMeta):
        table_name = table_name("sequences")

    name = UnicodeAttribute(hash_key=True)
    value = NumberAttribute(default=0)
