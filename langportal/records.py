"""Records (our frozen dataclasses) as JSON and back, e.g. for the answers kept under an
Idempotency-Key and for the audit trail's snapshots."""

from __future__ import annotations

import json
import types
import typing
from dataclasses import fields, is_dataclass
from datetime import datetime
from typing import Any, TypeVar

T = TypeVar("T")


def plain(value: Any) -> Any:
    """`value` made of JSON's types: dataclasses as objects, times in ISO 8601, sets sorted."""
    if is_dataclass(value) and not isinstance(value, type):
        return {field.name: plain(getattr(value, field.name)) for field in fields(value)}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value)
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return value


def dumps(record: Any) -> str:
    return json.dumps(plain(record), ensure_ascii=False, sort_keys=True)


def loads(cls: type[T], text: str) -> T:
    """The record of type `cls` that `dumps` wrote."""
    return _typed(cls, json.loads(text))


def _typed(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        (hint,) = [arg for arg in typing.get_args(hint) if arg is not type(None)]
    if is_dataclass(hint):
        hints = typing.get_type_hints(hint)
        return hint(**{field.name: _typed(hints[field.name], value[field.name]) for field in fields(hint)})
    if hint is datetime:
        return datetime.fromisoformat(value)
    if typing.get_origin(hint) is frozenset:
        return frozenset(value)
    if typing.get_origin(hint) is list:
        (item,) = typing.get_args(hint)
        return [_typed(item, element) for element in value]
    return value
