"""Tables shared by every app: ordered indexes and id sequences."""

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from langportal.dynamo import BaseMeta, table_name


class OrderNodeModel(Model):
    """One node of an ordered index (see langportal/orderindex.py and docs/data-model.md).

    The root (node "root") lists the leaves in order, each as id, count and first
    entry; a leaf (node "leaf#<id>") holds its entries, sorted. Both are packed in one
    string with control characters as separators, which keeps items small and cheap
    to read.
    """

    class Meta(BaseMeta):
        table_name = table_name("order-index")

    index = UnicodeAttribute(hash_key=True)
    node = UnicodeAttribute(range_key=True)
    version = NumberAttribute(null=True)
    pointers = UnicodeAttribute(null=True)
    entries = UnicodeAttribute(null=True)


class SequenceModel(Model):
    """A named counter that hands out ids ("1", "2", ...) with atomic ADD."""

    class Meta(BaseMeta):
        table_name = table_name("sequences")

    name = UnicodeAttribute(hash_key=True)
    value = NumberAttribute(default=0)
