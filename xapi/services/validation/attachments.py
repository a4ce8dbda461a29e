"""A statement's Attachments: what each is, and where its data is."""

from __future__ import annotations

from typing import Any

from . import values
from .errors import invalid
from .fields import array, child, formatted, integer, iri, irl, item, language_map, properties

_REQUIRED = ("usageType", "display", "contentType", "length", "sha2")


def check_attachments(value: Any, path: str) -> None:
    for index, attachment in enumerate(array(value, path)):
        _check_attachment(attachment, item(path, index))


def _check_attachment(value: Any, path: str) -> None:
    attachment = properties(value, path, of="an Attachment", required=_REQUIRED, optional=("description", "fileUrl"))
    iri(attachment["usageType"], child(path, "usageType"))
    language_map(attachment["display"], child(path, "display"))
    if "description" in attachment:
        language_map(attachment["description"], child(path, "description"))
    formatted(attachment["contentType"], child(path, "contentType"), values.is_media_type, "an Internet media type")
    if integer(attachment["length"], child(path, "length")) < 0:
        invalid(child(path, "length"), "must not be negative")
    formatted(attachment["sha2"], child(path, "sha2"), values.is_sha2_hex, "the hex digest of a SHA-2 hash")
    if "fileUrl" in attachment:
        irl(attachment["fileUrl"], child(path, "fileUrl"))
