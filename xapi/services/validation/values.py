"""Checks of the string formats xAPI names: IRIs, UUIDs, language tags, timestamps, durations.

Each check takes a string and answers whether it has the format; none raises. Where a
permissively licensed library knows the format (langcodes for the language subtag
registry, aniso8601 for ISO 8601) it does the work. IRIs are matched against RFC 3987's
grammar here: the libraries that know it are GPL (rfc3987), far too slow for every
statement (rfc3987-syntax), or accept spaces and broken escapes (rfc3986).
"""

from __future__ import annotations

import ipaddress
import re
from datetime import UTC, datetime, timedelta, timezone

import aniso8601
import langcodes
from aniso8601.builders import TupleBuilder

# RFC 3987, section 2.2: the characters an IRI may hold beyond URI's, and the private-use
# ones that only a query may hold.
_UCSCHAR = [(0xA0, 0xD7FF), (0xF900, 0xFDCF), (0xFDF0, 0xFFEF)]
_UCSCHAR += [(plane << 16, (plane << 16) + 0xFFFD) for plane in range(1, 14)]
_UCSCHAR += [(0xE1000, 0xEFFFD)]
_IPRIVATE = [(0xE000, 0xF8FF), (0xF0000, 0xFFFFD), (0x100000, 0x10FFFD)]


def _ranges(pairs: list[tuple[int, int]]) -> str:
    return "".join(f"{chr(low)}-{chr(high)}" for low, high in pairs)


_IUNRESERVED = r"A-Za-z0-9\-._~" + _ranges(_UCSCHAR)
_SUB_DELIMS = r"!$&'()*+,;="
_PCT_ENCODED = r"%[0-9A-Fa-f]{2}"
_IPCHAR = rf"(?:[{_IUNRESERVED}{_SUB_DELIMS}:@]|{_PCT_ENCODED})"
_ISEGMENT = rf"{_IPCHAR}*"
_ISEGMENT_NZ = rf"{_IPCHAR}+"
_IUSERINFO = rf"(?:[{_IUNRESERVED}{_SUB_DELIMS}:]|{_PCT_ENCODED})*"
_IREG_NAME = rf"(?:[{_IUNRESERVED}{_SUB_DELIMS}]|{_PCT_ENCODED})*"  # IPv4 addresses match it too
_IAUTHORITY = rf"(?:{_IUSERINFO}@)?(?:\[(?P<ip_literal>[^\[\]]*)\]|{_IREG_NAME})(?::[0-9]*)?"
_IQUERY = rf"(?:{_IPCHAR}|[/?{_ranges(_IPRIVATE)}])*"
_IFRAGMENT = rf"(?:{_IPCHAR}|[/?])*"
_IRI = re.compile(
    rf"[A-Za-z][A-Za-z0-9+\-.]*:"
    rf"(?:(?P<authority>//{_IAUTHORITY})(?:/{_ISEGMENT})*|/?(?:{_ISEGMENT_NZ}(?:/{_ISEGMENT})*)?)"
    rf"(?:\?{_IQUERY})?(?:#{_IFRAGMENT})?"
)
_IPV_FUTURE = re.compile(rf"[vV][0-9A-Fa-f]+\.[A-Za-z0-9\-._~{_SUB_DELIMS}:]+")


def _iri_match(value: str) -> re.Match[str] | None:
    match = _IRI.fullmatch(value)
    if match is None or match.group("ip_literal") is None:
        return match
    literal = match.group("ip_literal")
    if _IPV_FUTURE.fullmatch(literal):
        return match
    if "%" in literal:  # zone ids (RFC 6874) are not part of RFC 3987
        return None
    try:
        ipaddress.IPv6Address(literal)
    except ValueError:
        return None
    return match


def is_iri(value: str) -> bool:
    """An absolute IRI (RFC 3987): a scheme, then what the scheme names; a fragment may follow."""
    return _iri_match(value) is not None


def is_irl(value: str) -> bool:
    """An IRI that locates something: one with an authority ("scheme://host...")."""
    match = _iri_match(value)
    return match is not None and match.group("authority") is not None


def is_uri(value: str) -> bool:
    """An absolute URI (RFC 3986): an IRI written in ASCII alone."""
    return value.isascii() and is_iri(value)


_UUID = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")


def is_uuid(value: str) -> bool:
    """A UUID in RFC 4122's standard string form (hex digits of either case)."""
    return _UUID.fullmatch(value) is not None


def is_mailto_iri(value: str) -> bool:
    """ "mailto:" and one email address: xAPI's format for an mbox."""
    if not value.startswith("mailto:"):
        return False
    local, at, domain = value.removeprefix("mailto:").rpartition("@")
    # A "?" would add headers and a "," another address: neither belongs in an mbox.
    one_address = bool(local and at and domain) and "@" not in local and "?" not in value and "," not in value
    return one_address and is_iri(value)


_SHA1 = re.compile(r"[0-9A-Fa-f]{40}")
_SHA2_HEX_LENGTHS = {56, 64, 96, 128}  # SHA-224, SHA-256, SHA-384, SHA-512 (and their /224, /256)


def is_sha1_hex(value: str) -> bool:
    """The hex digest of a SHA-1 hash."""
    return _SHA1.fullmatch(value) is not None


def is_sha2_hex(value: str) -> bool:
    """The hex digest of a hash of the SHA-2 family."""
    return len(value) in _SHA2_HEX_LENGTHS and all(c in "0123456789abcdefABCDEF" for c in value)


_MIME_ATOM = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"  # RFC 2045's "token"
_MIME_VALUE = rf'(?:{_MIME_ATOM}|"(?:[^"\\\r\n]|\\.)*")'
_MEDIA_TYPE = re.compile(rf"{_MIME_ATOM}/{_MIME_ATOM}(?:[ \t]*;[ \t]*{_MIME_ATOM}={_MIME_VALUE})*")


def is_media_type(value: str) -> bool:
    """An Internet media type (RFC 2046), e.g. "text/plain; charset=ascii"."""
    return _MEDIA_TYPE.fullmatch(value) is not None


# RFC 5646, section 2.1: the shape of a tag. langcodes then checks each subtag against the
# IANA registry and rejects repeated variants and extensions, but it forgives shapes the
# RFC does not ("en_US"), so the grammar comes first.
_ALNUM = "[A-Za-z0-9]"
_LANGTAG = (
    r"(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})"  # language, with up to 3 extlangs
    r"(?:-[A-Za-z]{4})?"  # script
    r"(?:-(?:[A-Za-z]{2}|[0-9]{3}))?"  # region
    rf"(?:-(?:{_ALNUM}{{5,8}}|[0-9]{_ALNUM}{{3}}))*"  # variants
    rf"(?:-[0-9A-WYZa-wyz](?:-{_ALNUM}{{2,8}})+)*"  # extensions
    rf"(?:-[xX](?:-{_ALNUM}{{1,8}})+)?"  # private use
)
_GRANDFATHERED = [  # RFC 5646's irregular and regular grandfathered tags
    *["en-GB-oed", "i-ami", "i-bnn", "i-default", "i-enochian", "i-hak", "i-klingon", "i-lux", "i-mingo"],
    *["i-navajo", "i-pwn", "i-tao", "i-tay", "i-tsu", "sgn-BE-FR", "sgn-BE-NL", "sgn-CH-DE"],
    *["art-lojban", "cel-gaulish", "no-bok", "no-nyn", "zh-guoyu", "zh-hakka", "zh-min", "zh-min-nan", "zh-xiang"],
]
_LANGUAGE_TAG = re.compile(
    rf"{_LANGTAG}|[xX](?:-{_ALNUM}{{1,8}})+|" + "|".join(re.escape(tag) for tag in _GRANDFATHERED),
    re.IGNORECASE,
)


def is_language_tag(value: str) -> bool:
    """A valid RFC 5646 language tag: well formed, and each subtag registered with IANA."""
    return _LANGUAGE_TAG.fullmatch(value) is not None and langcodes.tag_is_valid(value)


def is_duration(value: str) -> bool:
    """An ISO 8601 duration in the format of section 4.4.3.2, e.g. "PT1H30M" or "P4W".

    The alternative format of 4.4.3.3 ("P0003-01-29T04:35:59"), which the standard forbids,
    has no unit after its last number; the format xAPI wants always ends in one.
    """
    if not value.endswith(("Y", "M", "W", "D", "H", "S")):
        return False
    try:
        aniso8601.parse_duration(value, builder=TupleBuilder)
    except (ValueError, NotImplementedError):
        return False
    return True


def is_iso8601_timestamp(value: str) -> bool:
    """An ISO 8601 date and time, as xAPI 1.0.3 wants a timestamp.

    A time zone is optional. aniso8601 refuses a negative zero offset ("-00:00"), which
    ISO 8601 does not allow either.
    """
    try:
        aniso8601.parse_datetime(value)
    except (ValueError, NotImplementedError):
        return False
    return True


_RFC3339 = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})[Tt](?P<time>\d{2}:\d{2}:\d{2})(?P<fraction>\.\d+)?"
    r"(?:[Zz]|(?P<sign>[+-])(?P<hours>\d{2}):(?P<minutes>\d{2}))"
)


def rfc3339_in_utc(value: str) -> str | None:
    """The RFC 3339 timestamp written in UTC ("...Z"), or None if `value` is not one.

    Fractions of a second are kept digit for digit; "-00:00" (RFC 3339's unknown offset)
    is refused, since it names no point in time.
    """
    match = _RFC3339.fullmatch(value)
    if match is None:
        return None
    sign, hours, minutes = match.group("sign", "hours", "minutes")
    if sign == "-" and hours == minutes == "00":
        return None
    try:
        offset = timedelta(hours=int(hours or 0), minutes=int(minutes or 0)) * (-1 if sign == "-" else 1)
        local = datetime.fromisoformat(f"{match['date']}T{match['time']}").replace(tzinfo=timezone(offset))
        utc = local.astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    fraction = match.group("fraction") or ""
    return f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T{utc:%H:%M:%S}{fraction}Z"
