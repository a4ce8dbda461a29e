"""The xAPI versions whose statements we check: the X-Experience-API-Version of the request."""

from __future__ import annotations

import re

XAPI_2_0 = "2.0.0"
XAPI_1_0_3 = "1.0.3"
SUPPORTED = (XAPI_2_0, XAPI_1_0_3)

# What a statement's own "version" property may say: 1.0.3 accepts the 1.0.x family, and
# 2.0 accepts statements from both families (the suite sends "1.0" and "1.0.9" with 2.0.0).
_STATEMENT_VERSIONS = {
    XAPI_2_0: re.compile(r"[12]\.0(?:\.\d+)?"),
    XAPI_1_0_3: re.compile(r"1\.0(?:\.\d+)?"),
}


def statement_version_allowed(statement_version: str, *, version: str) -> bool:
    """Whether a statement may say it is `statement_version` in a request of `version`."""
    return _STATEMENT_VERSIONS[version].fullmatch(statement_version) is not None


def supported(version: str) -> str:
    """`version`, once it is one we check statements for."""
    if version not in SUPPORTED:
        raise ValueError(f"xAPI version {version!r} is not one of {', '.join(SUPPORTED)}")
    return version
