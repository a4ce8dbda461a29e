"""Attachments sent with statements (multipart/mixed): each part matched to a statement's
attachment by its SHA-2, a signature checked against its statement, and the content
kept in S3 under its digest, once however many statements carry it."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError
from django.conf import settings

from langportal import aws
from langportal.errors import InvalidInput
from xapi.services.validation import signature_checked

SIGNATURE = "http://adlnet.gov/expapi/attachments/signature"
PREFIX = "xapi/attachments/"
_ALGORITHMS = {64: hashlib.sha256, 96: hashlib.sha384, 128: hashlib.sha512}


@dataclass(frozen=True)
class Attachment:
    sha2: str
    content_type: str
    content: bytes


def part_checked(*, sha2: str | None, content_type: str, content: bytes) -> Attachment:
    """A part of a multipart request: its X-Experience-API-Hash must be the SHA-2 of its
    content (SHA-256, 384 or 512, told by its length)."""
    if not sha2:
        raise InvalidInput("Each attachment part needs an X-Experience-API-Hash header.")
    algorithm = _ALGORITHMS.get(len(sha2))
    if algorithm is None or algorithm(content).hexdigest() != sha2.lower():
        raise InvalidInput("An attachment part's X-Experience-API-Hash is not the SHA-2 of its content.")
    return Attachment(sha2.lower(), content_type, content)


def attachments_matched(statements: list[dict[str, Any]], parts: dict[str, Attachment]) -> list[Attachment]:
    """The parts the statements' attachments name, every part named by one, every
    attachment without a fileUrl given its part, and every signature checked."""
    named = set()
    for statement in statements:
        for attachment in statement.get("attachments", []):
            sha2 = attachment["sha2"].lower()
            named.add(sha2)
            if sha2 not in parts and "fileUrl" not in attachment:
                raise InvalidInput(f"The attachment {sha2} has neither a fileUrl nor a part with its content.")
            if attachment["usageType"] == SIGNATURE:
                if sha2 not in parts:
                    raise InvalidInput("A signature attachment needs its part.")
                signature_checked(statement, parts[sha2].content)
    excess = set(parts) - named
    if excess:
        raise InvalidInput(f"Parts that no attachment names: {', '.join(sorted(excess))}.")
    return list(parts.values())


def _key(sha2: str) -> str:
    return f"{PREFIX}{sha2}"


def attachments_keep(attachments: Iterable[Attachment]) -> None:
    """Store each attachment's content under its digest (storing one twice is harmless)."""
    with aws.unavailable_on_outage("File storage"):
        for attachment in attachments:
            aws.client("s3").put_object(
                Bucket=settings.MEDIA_BUCKET,
                Key=_key(attachment.sha2),
                Body=attachment.content,
                ContentType=attachment.content_type,
            )


def attachments_read(sha2s: Iterable[str]) -> list[Attachment]:
    """The stored attachments of these digests (each once); those missing are left out."""
    found = []
    with aws.unavailable_on_outage("File storage"):
        for sha2 in dict.fromkeys(sha2s):
            try:
                answer = aws.client("s3").get_object(Bucket=settings.MEDIA_BUCKET, Key=_key(sha2))
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                    continue
                raise
            with answer["Body"] as body:
                found.append(Attachment(sha2, answer.get("ContentType", "application/octet-stream"), body.read()))
    return found


def multipart_write(document: bytes, attachments: Iterable[Attachment]) -> tuple[str, bytes]:
    """A multipart/mixed body of a statements document and attachments (an answer, or a
    batch forwarded to another store): its Content-Type and the body."""
    boundary = secrets.token_hex(16)
    chunks = [f"--{boundary}\r\nContent-Type: application/json\r\n\r\n".encode(), document, b"\r\n"]
    for attachment in attachments:
        chunks += [
            f"--{boundary}\r\nContent-Type: {attachment.content_type}\r\n"
            f"Content-Transfer-Encoding: binary\r\nX-Experience-API-Hash: {attachment.sha2}\r\n\r\n".encode(),
            attachment.content,
            b"\r\n",
        ]
    chunks.append(f"--{boundary}--\r\n".encode())
    return f'multipart/mixed; boundary="{boundary}"', b"".join(chunks)
