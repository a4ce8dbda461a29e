"""xAPI statement validation, exactly as the standard says, for xAPI 2.0.0 and 1.0.3.

Pure Python: no Django beyond our exceptions, no I/O. The rules follow the standard and
ADL's LRS conformance suite; each check names the property it rejects ("actor.mbox").
"""

from .errors import StatementInvalid
from .signatures import signature_checked
from .statements import statement_checked, statements_checked

__all__ = ["StatementInvalid", "signature_checked", "statement_checked", "statements_checked"]
