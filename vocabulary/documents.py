"""Vocabulary documents: the JSON that seeding reads from S3, imports accept and exports
write, and the CSV that exports write and imports accept.

    {"groups": [{"id": "1", "name": "Basic Greetings"}, ...],
     "words": [{"id": "1", "japanese": "こんにちは", "english": "hello",
                "kana": "こんにちは", "romaji": "konnichiwa",
                "part_of_speech": "expression", "group_ids": ["1"]}, ...]}

Ids are optional: what an entry with or without one does is the import rule of
vocabulary.services.imports. Every entry, of a JSON document or a CSV file alike, is
checked once, by document_rows with the API's own serializers; a bad entry is reported
with its position and reasons and the others go on.

The CSV has the columns of CSV_COLUMNS, a word's group ids joined by ";", its cells made
formula-safe by langportal.spreadsheets; importing takes the quote that adds off again,
so an export imports back as it was and such words stay importable.

Documents are read within DocumentLimits (bytes, JSON nesting, rows, the length of a
CSV field or JSON string); the first limit passed is refused with DocumentTooLarge,
which names it.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import ijson
from django.conf import settings

from langportal.api.errors import plain_errors
from langportal.errors import InvalidInput
from langportal.ids import is_id
from langportal.spreadsheets import imported_text
from vocabulary.serializers import DocumentGroup, DocumentWord

CSV_COLUMNS = ("id", "japanese", "kana", "romaji", "english", "part_of_speech", "group_ids")
NOT_A_DOCUMENT = 'A vocabulary document is a JSON object with a "words" list.'

# A JSON string, or the rest of the text after an unterminated one: each quote starts at
# most one match, so removing them all takes one pass whatever the text.
JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)
NOT_BRACKET = re.compile(r"[^\[\]{}]+")


# --- CSV cells -------------------------------------------------------------------------


def word_entry(word) -> dict:
    """A word as an entry of a document's "words" (its group ids in numeric order)."""
    return {
        "id": word.id,
        "japanese": word.japanese,
        "english": word.english,
        "kana": word.kana,
        "romaji": word.romaji,
        "part_of_speech": word.part_of_speech,
        "group_ids": sorted(word.group_ids, key=int),
    }


def group_entry(group) -> dict:
    """A group as an entry of a document's "groups"."""
    return {"id": group.id, "name": group.name}


def csv_cells(entry: dict) -> list[str]:
    """A document's word entry as the cells of CSV_COLUMNS, as they are: a CSV writer
    makes them formula-safe (langportal.jobs.exports.csv_format)."""
    return [
        entry["id"],
        entry["japanese"],
        entry["kana"],
        entry["romaji"],
        entry["english"],
        entry["part_of_speech"] or "",
        ";".join(entry["group_ids"]),
    ]


# --- limits ----------------------------------------------------------------------------


class DocumentTooLarge(InvalidInput):
    code = "document_too_large"


@dataclass(frozen=True)
class DocumentLimits:
    max_bytes: int
    max_rows: int  # entries of "words" and "groups" together, or CSV lines after the header
    max_depth: int
    max_field_chars: int

    @classmethod
    def imports(cls) -> DocumentLimits:
        """The limits of a file a teacher imports in the admin."""
        return cls(settings.IMPORT_MAX_BYTES, settings.IMPORT_MAX_ROWS, *_shared_limits())

    @classmethod
    def jobs(cls) -> DocumentLimits:
        """The limits of a file an import job reads as a stream."""
        return cls(settings.IMPORT_JOB_MAX_BYTES, settings.IMPORT_JOB_MAX_ROWS, *_shared_limits())

    @classmethod
    def seeds(cls) -> DocumentLimits:
        """The limits of a document seeding reads from S3."""
        return cls(settings.SEED_MAX_BYTES, settings.SEED_MAX_ROWS, *_shared_limits())

    def check_bytes(self, data: bytes) -> None:
        if len(data) > self.max_bytes:
            raise DocumentTooLarge(
                f"The document is larger than {self.max_bytes} bytes: split it.",
                details={"max_bytes": self.max_bytes},
            )

    def check_rows(self, rows: int) -> None:
        if rows > self.max_rows:
            raise DocumentTooLarge(
                f"The document has more than {self.max_rows} rows: split it.", details={"max_rows": self.max_rows}
            )

    def field_too_long(self, where: str) -> DocumentTooLarge:
        return DocumentTooLarge(
            f"{where} is longer than {self.max_field_chars} characters.",
            details={"max_field_chars": self.max_field_chars},
        )


def _shared_limits() -> tuple[int, int]:
    return settings.IMPORT_MAX_DEPTH, settings.IMPORT_MAX_FIELD_CHARS


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidInput(f"The document is not UTF-8 text: {error}.") from error


# --- JSON ------------------------------------------------------------------------------


def document_loads(data: bytes, limits: DocumentLimits) -> Any:
    """Decode a JSON document within `limits`; InvalidInput when it is not JSON."""
    limits.check_bytes(data)
    text = _text(data)
    if _nested_deeper(text, limits.max_depth):
        raise DocumentTooLarge(
            f"The document is nested more than {limits.max_depth} levels deep.",
            details={"max_depth": limits.max_depth},
        )
    try:
        document = json.loads(text)
    except ValueError as error:
        raise InvalidInput(f"The document is not JSON: {error}.") from error
    if any(len(string) > limits.max_field_chars for string in _strings(document)):
        raise limits.field_too_long("A string in the document")
    if isinstance(document, dict):
        lists = [document[name] for name in ("groups", "words") if isinstance(document.get(name), list)]
        limits.check_rows(sum(map(len, lists)))
    return document


def _nested_deeper(text: str, max_depth: int) -> bool:
    """Whether JSON text nests deeper than `max_depth`, found without parsing it: json's
    parser recurses once per level, and a deep enough document exhausts the stack."""
    depth = 0
    for bracket in NOT_BRACKET.sub("", JSON_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        if depth > max_depth:
            return True
    return False


def _strings(document: Any) -> Iterator[str]:
    """Every string of a decoded document, keys included."""
    pending = [document]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            pending += [*value.keys(), *value.values()]
        elif isinstance(value, list):
            pending += value


# --- CSV -------------------------------------------------------------------------------


def csv_rows(data: bytes, limits: DocumentLimits) -> list[dict]:
    """The rows of an exported (or alike) CSV file, read within `limits`: each a dict of
    the non-empty cells of CSV_COLUMNS, with "group_ids" a list."""
    limits.check_bytes(data)
    return list(csv_stream(io.BytesIO(data), limits))


def csv_stream(stream: BinaryIO, limits: DocumentLimits) -> Iterator[dict]:
    """The rows of a CSV file as `csv_rows` reads them, one at a time from a binary
    stream (an S3 object's body): a file of any size is never held whole."""
    reader = csv.reader(io.TextIOWrapper(stream, encoding="utf-8-sig", newline=""))
    header, rows = None, 0
    try:
        for cells in reader:
            if any(len(cell) > limits.max_field_chars for cell in cells):
                raise limits.field_too_long(f"A field on line {reader.line_num}")
            if header is None:
                header = cells
                continue
            rows += 1
            limits.check_rows(rows)
            yield _csv_fields(dict(zip(header, cells, strict=False)))
    except UnicodeDecodeError as error:
        raise InvalidInput(f"The document is not UTF-8 text: {error}.") from error
    except csv.Error as error:
        # csv refuses a field past its own, higher limit by itself (csv.field_size_limit()).
        if str(error).startswith("field larger than field limit"):
            raise limits.field_too_long(f"A field on line {reader.line_num}") from error
        raise InvalidInput(f"The CSV cannot be read (line {reader.line_num}): {error}.") from error


def _csv_fields(row: dict[str, str]) -> dict:
    values = {column: imported_text(row.get(column, "").strip()) for column in CSV_COLUMNS}
    fields: dict[str, Any] = {column: value for column, value in values.items() if value}
    fields["group_ids"] = [part for part in values["group_ids"].split(";") if part]
    return fields


# --- JSON, streamed -------------------------------------------------------------------


@dataclass(frozen=True)
class Outline:
    """What one pass over a streamed JSON document found: its entries of each kind, and
    the largest numeric id of each, which an import reserves before writing any entry."""

    groups: int
    words: int
    largest_ids: dict[str, int]  # "group" or "word" -> its largest id


def json_outline(stream: BinaryIO, limits: DocumentLimits) -> Outline:
    """Check a JSON document's shape from a binary stream, event by event (never whole):
    an object with a "words" list and maybe a "groups" list, nested at most
    `limits.max_depth` deep, with at most `limits.max_rows` entries; InvalidInput when not."""
    counts, largest, lists, depth = {"groups": 0, "words": 0}, {}, set(), 0
    try:
        for prefix, event, value in ijson.parse(stream):
            if event in ("start_map", "start_array"):
                depth += 1
                if depth > limits.max_depth:
                    raise DocumentTooLarge(
                        f"The document is nested more than {limits.max_depth} levels deep.",
                        details={"max_depth": limits.max_depth},
                    )
            elif event in ("end_map", "end_array"):
                depth -= 1
            if prefix == "" and event not in ("start_map", "end_map", "map_key"):
                raise InvalidInput(NOT_A_DOCUMENT)
            if prefix in counts and event == "start_array":
                lists.add(prefix)
            elif prefix in counts and event != "end_array":
                raise InvalidInput(f'"{prefix}" must be a list.')
            if prefix in ("groups.item", "words.item") and event not in ("map_key", "end_map", "end_array"):
                counts[prefix.split(".")[0]] += 1
                limits.check_rows(sum(counts.values()))
            if prefix in ("groups.item.id", "words.item.id") and is_id(str(value)):
                kind = prefix.split(".")[0][:-1]
                largest[kind] = max(largest.get(kind, 0), int(str(value)))
    except ijson.JSONError as error:
        raise InvalidInput(f"The document is not JSON: {error}.") from error
    except UnicodeDecodeError as error:
        raise InvalidInput(f"The document is not UTF-8 text: {error}.") from error
    if "words" not in lists:
        raise InvalidInput(NOT_A_DOCUMENT)
    return Outline(counts["groups"], counts["words"], largest)


def json_stream(stream: BinaryIO, kind: str) -> Iterator[Any]:
    """The entries of one kind ("group" or "word") of a JSON document that json_outline
    checked, one at a time from a binary stream."""
    try:
        yield from ijson.items(stream, f"{kind}s.item", use_float=True)
    except ijson.JSONError as error:
        raise InvalidInput(f"The document is not JSON: {error}.") from error


# --- vocabulary documents --------------------------------------------------------------


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
    """The checked entries of a document, and the errors of the others."""

    groups: list[dict] = field(default_factory=list)
    words: list[dict] = field(default_factory=list)
    errors: list[EntryError] = field(default_factory=list)
    # Where each checked entry stands in its list: the rows of a file, for its preview.
    positions: dict[str, list[int]] = field(default_factory=lambda: {"group": [], "word": []})


def document_parse(data: Any) -> Document:
    """Check a decoded JSON document; raises InvalidInput if it is not one at all."""
    if not isinstance(data, dict) or not isinstance(data.get("words"), list):
        raise InvalidInput(NOT_A_DOCUMENT)
    if not isinstance(data.get("groups", []), list):
        raise InvalidInput('"groups" must be a list.')
    return document_rows(groups=data.get("groups", []), words=data["words"])


def document_rows(*, groups: list = (), words: list) -> Document:
    """Check the entries of a document or the rows of a CSV file: the one check of every import."""
    document = Document()
    for kind, items, checked in (("group", groups, document.groups), ("word", words, document.words)):
        seen = set()
        for position, item in enumerate(items):
            entry_id = item.get("id") if isinstance(item, dict) else None
            try:
                fields = entry_checked(kind, item)
            except InvalidInput as error:
                document.errors.append(EntryError(kind, position, _id_text(entry_id), error.details))
                continue
            if "id" in fields and fields["id"] in seen:
                error = {"id": ["This id appears more than once."]}
                document.errors.append(EntryError(kind, position, entry_id, error))
            else:
                seen.add(fields.get("id"))
                checked.append(fields)
                document.positions[kind].append(position)
    return document


def entry_checked(kind: str, item: Any) -> dict:
    """One entry ("group" or "word") checked by the API's serializers: its fields, or
    InvalidInput with the reasons by field."""
    serializer = (DocumentGroup if kind == "group" else DocumentWord)(data=item)
    if not serializer.is_valid():
        raise InvalidInput(f"This {kind} cannot be imported.", details=plain_errors(serializer.errors))
    return dict(serializer.validated_data)


def _id_text(value: Any) -> str | None:
    return str(value) if value is not None else None
