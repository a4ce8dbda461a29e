"""multipart/mixed, as xAPI sends statements with their attachments: the first part is
the statements (application/json), each other part an attachment named by its
X-Experience-API-Hash and sent with Content-Transfer-Encoding: binary."""

from __future__ import annotations

import email.parser
import email.policy

from langportal.errors import InvalidInput
from xapi.services.attachments import Attachment, part_checked


def multipart_read(content_type: str, body: bytes) -> tuple[bytes, dict[str, Attachment]]:
    """The statements part and the attachments (by sha2) of a multipart/mixed body."""
    if "boundary=" not in content_type:
        raise InvalidInput("A multipart/mixed request names its boundary in its Content-Type.")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    if not message.is_multipart() or message.defects:
        raise InvalidInput("The multipart/mixed body cannot be read: check its boundaries.")
    parts = list(message.iter_parts())
    if not parts or parts[0].get_content_type() != "application/json":
        raise InvalidInput("The first part of a multipart/mixed request is the statements, as application/json.")
    attachments: dict[str, Attachment] = {}
    for part in parts[1:]:
        if (part.get("Content-Transfer-Encoding") or "").strip().lower() != "binary":
            raise InvalidInput("Each attachment part has Content-Transfer-Encoding: binary.")
        attachment = part_checked(
            sha2=part.get("X-Experience-API-Hash"),
            content_type=part.get_content_type(),
            content=part.get_payload(decode=True) or b"",
        )
        attachments[attachment.sha2] = attachment
    return parts[0].get_payload(decode=True) or b"", attachments
