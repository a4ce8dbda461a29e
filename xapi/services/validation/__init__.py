"""xAPI statement validation, exactly as the standard says, for xAPI 2.0.0 and 1.0.3.

Pure Python: no Django beyond our exceptions, no I/O. The rules follow the standard and
ADL's LRS conformance suite; each check names the property it rejects ("actor.mbox").
"""

from .errors import StatementInvalid
from .json_text import json_parsed
from .parameters import ParameterInvalid, agent_checked, iri_checked, timestamp_parsed, uuid_checked
from .signatures import signature_checked
from .statements import statement_checked, statements_checked

__all__ = [
    "ParameterInvalid",
    "StatementInvalid",
    "agent_checked",
    "iri_checked",
    "json_parsed",
    "signature_checked",
    "statement_checked",
    "statements_checked",
    "timestamp_parsed",
    "uuid_checked",
]
