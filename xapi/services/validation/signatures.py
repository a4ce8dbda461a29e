"""Signed statements: a JWS of the statement, sent as one of its attachments."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from jwt import PyJWTError
from jwt.api_jws import PyJWS

from . import values
from .errors import invalid
from .fields import child, item

SIGNATURE_USAGE_TYPE = "http://adlnet.gov/expapi/attachments/signature"
SIGNATURE_CONTENT_TYPE = "application/octet-stream"
ALGORITHMS = ("RS256", "RS384", "RS512")
# Set or rewritten by the LRS as it stores a statement, so a signature cannot cover them.
_ASSIGNED_BY_LRS = ("id", "authority", "stored", "timestamp", "version")


def signature_checked(statement: dict[str, Any], jws: bytes) -> None:
    """Raise StatementInvalid unless `jws` is a well-formed signature of `statement`.

    `statement` is as statement_checked returned it; `jws` is the data of its signature
    attachment, found by its sha2. The JWS must be compact, signed with RS256, RS384 or
    RS512, verify against the certificate in its "x5c" header when it has one, and carry
    the statement as it was before it was signed. That comparison ignores what the
    standard exempts from statement immutability: the properties the LRS sets,
    attachments, how a timestamp is written, the order of a Group's members, and a
    duration's precision beyond hundredths of a second.
    """
    path = _signature_attachment_path(statement, jws)
    header, payload = _decoded(jws, path)
    algorithm = header.get("alg")
    if algorithm not in ALGORITHMS:
        invalid(path, f"the JWS must be signed with {', '.join(ALGORITHMS)}, not {algorithm!r}")
    if "x5c" in header:
        _check_against_certificate(jws, header["x5c"], algorithm, path)
    try:
        signed = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        invalid(path, "the JWS payload must be the statement in JSON")
    if not isinstance(signed, dict) or _comparable(signed) != _comparable(statement):
        invalid(path, "the JWS payload is not the statement that was signed")


def _signature_attachment_path(statement: dict[str, Any], jws: bytes) -> str:
    """The path of the signature attachment that holds `jws`, once its content type is right."""
    sha2 = hashlib.sha256(jws).hexdigest()
    for index, attachment in enumerate(statement.get("attachments", ())):
        if attachment["usageType"] == SIGNATURE_USAGE_TYPE and attachment["sha2"].lower() == sha2:
            path = item("attachments", index)
            media_type = attachment["contentType"].split(";")[0].strip().lower()
            if media_type != SIGNATURE_CONTENT_TYPE:
                invalid(child(path, "contentType"), f"must be {SIGNATURE_CONTENT_TYPE} for a signature")
            return path
    invalid("attachments", f"no attachment of usageType {SIGNATURE_USAGE_TYPE} has this signature's SHA-256")


def _decoded(jws: bytes, path: str) -> tuple[dict[str, Any], bytes]:
    """The header and payload of a JWS in compact serialization, its signature unchecked."""
    try:
        decoded = PyJWS().decode_complete(jws, options={"verify_signature": False})
    except PyJWTError as error:
        invalid(path, f"the signature must be a JWS in compact serialization ({error})")
    return decoded["header"], decoded["payload"]


def _check_against_certificate(jws: bytes, x5c: Any, algorithm: str, path: str) -> None:
    """Verify the JWS with the key of the first certificate of its x5c chain (RFC 7515, 4.1.6)."""
    if not isinstance(x5c, list) or not x5c or not isinstance(x5c[0], str):
        invalid(path, "the JWS x5c header must be an array of base64 DER certificates")
    try:
        certificate = x509.load_der_x509_certificate(base64.b64decode(x5c[0], validate=True))
    except (binascii.Error, ValueError):
        invalid(path, "the first certificate of the JWS x5c header cannot be read")
    key = certificate.public_key()
    if not isinstance(key, RSAPublicKey):
        invalid(path, "the certificate of the JWS x5c header must hold an RSA key")
    try:
        PyJWS().decode_complete(jws, key=key, algorithms=[algorithm])
    except PyJWTError:
        invalid(path, "the JWS signature does not verify with the certificate of its x5c header")


def _comparable(statement: dict[str, Any]) -> Any:
    """The statement reduced to what a signature vouches for."""
    kept = {key: value for key, value in statement.items() if key not in (*_ASSIGNED_BY_LRS, "attachments")}
    return _canonical(kept)


def _canonical(value: Any, key: str | None = None) -> Any:
    if isinstance(value, dict):
        if key == "contextActivities":  # a single Activity is stored as an array of one
            value = {
                kind: activities if isinstance(activities, list) else [activities] for kind, activities in value.items()
            }
        return {name: inner if name == "extensions" else _canonical(inner, name) for name, inner in value.items()}
    if isinstance(value, list):
        items = [_canonical(inner) for inner in value]
        return sorted(items, key=lambda member: json.dumps(member, sort_keys=True)) if key == "member" else items
    if key == "duration" and isinstance(value, str):
        return _to_hundredths(value)
    if key == "timestamp" and isinstance(value, str):
        return values.rfc3339_in_utc(value) or value
    return value


_SECONDS_FRACTION = re.compile(r"(\d+)[.,](\d+)S$")


def _to_hundredths(duration: str) -> str:
    """The duration with its seconds cut to hundredths (trailing zeros dropped)."""
    match = _SECONDS_FRACTION.search(duration)
    if match is None:
        return duration
    hundredths = match.group(2)[:2].rstrip("0")
    seconds = f"{match.group(1)}.{hundredths}S" if hundredths else f"{match.group(1)}S"
    return duration[: match.start()] + seconds
