"""Tables shared by every app: ordered indexes and id sequences."""

from pynamodb.attributes import ListAttribute, MapAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from langportal.dynamo import BaseMeta, table_name


class LeafRef(MapAttribute):
    """A root's pointer to one leaf: its id, how many entries it holds, its first entry."""

    leaf_id = UnicodeAttribute(attr_name="i")
    count = NumberAttribute(attr_name="n")
    first = UnicodeAttribute(attr_name="f")


class OrderNodeModel(Model):
    """One node of an ordered index (see langportal/orderindex.py and docs/data-model.md).

    The root (node "root") lists the leaves in order with their counts; a leaf
    (node "leaf#<id>") holds its entries, sorted, joined by a record separator.
    """

    class Meta(BaseMeta):
        table_name = table_name("order-index")

    index = UnicodeAttribute(hash_key=True)
    node = UnicodeAttribute(range_key=True)
    version = NumberAttribute(null=True)
    leaves = ListAttribute(of=LeafRef, null=True)
    entries = UnicodeAttribute(null=True)


class SequenceModel(Model):
    """A named counter that hands out ids ("1", "2", ...) with atomic ADD."""

    class Meta(BaseMeta):
        table_name = table_name("sequences")

    name = UnicodeAttribute(hash_key=True)
    value = NumberAttribute(default=0)
