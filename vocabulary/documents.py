"""Vocabulary documents: the JSON that seeding reads from S3 and imports accept.

    {"groups": [{"id": "1", "name": "Basic Greetings"}, ...],
     "words": [{"id": "1", "japanese": "こんにちは", "english": "hello",
                "kana": "こんにちは", "romaji": "konnichiwa",
                "part_of_speech": "expression", "group_ids": ["1"]}, ...]}

Every entry is checked with the API's own serializers; a bad entry is reported with
its position and reasons and the others go on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from langportal.api.errors import plain_errors
from langportal.errors import InvalidInput
from vocabulary.serializers import DocumentGroup, DocumentWord


@dataclass(frozen=True)
class EntryError:
    kind: str  # "group" or "word"
    position: int  # 0-based index in its list
    entry_id: str | None
    errors: dict[str, Any]

    def __str__(self) -> str:
        reasons = "; ".join(f"{name}: {' '.join(map(str, messages))}" for name, messages in self.errors.items())
        return f"{self.kind} #{self.position} (id {self.entry_id or '?'}): {reasons}"


@dataclass
class Document:
    groups: list[dict] = field(default_factory=list)
    words: list[dict] = field(default_factory=list)
    errors: list[EntryError] = field(default_factory=list)


def document_parse(data: Any) -> Document:
    """Check a decoded JSON document; raises InvalidInput if it is not one at all."""
    if not isinstance(data, dict) or not isinstance(data.get("words"), list):
        raise InvalidInput('A vocabulary document is a JSON object with a "words" list.')
    if not isinstance(data.get("groups", []), list):
        raise InvalidInput('"groups" must be a list.')
    document = Document()
    document.groups = _entries(data.get("groups", []), DocumentGroup, "group", document.errors)
    document.words = _entries(data["words"], DocumentWord, "word", document.errors)
    return document


def _entries(items: list, serializer_class, kind: str, errors: list[EntryError]) -> list[dict]:
    valid, seen = [], set()
    for position, item in enumerate(items):
        entry_id = item.get("id") if isinstance(item, dict) else None
        serializer = serializer_class(data=item)
        if not serializer.is_valid():
            errors.append(EntryError(kind, position, _text(entry_id), plain_errors(serializer.errors)))
        elif serializer.validated_data["id"] in seen:
            errors.append(EntryError(kind, position, entry_id, {"id": ["This id appears more than once."]}))
        else:
            seen.add(serializer.validated_data["id"])
            valid.append(serializer.validated_data)
    return valid


def _text(value: Any) -> str | None:
    return str(value) if value is not None else None
