"""Query parameters and body of page-numbered listings, in the spec's shape."""

from rest_framework import serializers

from langportal.paging import PER_PAGE_DEFAULT, PER_PAGE_MAX, Page


class PageQuery(serializers.Serializer):
    page = serializers.IntegerField(min_value=1, default=1, help_text="Page number, from 1.")
    per_page = serializers.IntegerField(
        min_value=1, max_value=PER_PAGE_MAX, default=PER_PAGE_DEFAULT, help_text="Items per page."
    )
    order = serializers.ChoiceField(choices=["asc", "desc"], default="asc", help_text="Sort direction.")


class PaginationSerializer(serializers.Serializer):
    current_page = serializers.IntegerField()
    total_pages = serializers.IntegerField()
    total_items = serializers.IntegerField()
    items_per_page = serializers.IntegerField()


def paginated(page: Page, item_serializer: type[serializers.Serializer]) -> dict:
    return {
        "items": item_serializer(page.items, many=True).data,
        "pagination": {
            "current_page": page.page,
            "total_pages": page.total_pages,
            "total_items": page.total,
            "items_per_page": page.per_page,
        },
    }


def page_serializer(item_serializer: type[serializers.Serializer], name: str) -> type[serializers.Serializer]:
    """The documented shape of a page of `item_serializer` (for the OpenAPI schema)."""
    return type(
        name,
        (serializers.Serializer,),
        {"items": item_serializer(many=True), "pagination": PaginationSerializer()},
    )
