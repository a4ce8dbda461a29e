"""The only code that reads or writes the xAPI tables."""

from xapi.repositories.statements import (
    IndexEntry,
    StatementExists,
    StoredStatement,
    TargetChanged,
    Voiding,
    index_page,
    statement_delete,
    statement_get,
    statement_put,
    statement_stage,
    statements_get,
)

__all__ = [
    "IndexEntry",
    "StatementExists",
    "StoredStatement",
    "TargetChanged",
    "Voiding",
    "index_page",
    "statement_delete",
    "statement_get",
    "statement_put",
    "statement_stage",
    "statements_get",
]
