"""The only code that reads or writes the xAPI tables."""

from xapi.repositories.statements import (
    IndexEntry,
    StatementExists,
    StoredStatement,
    TargetChanged,
    index_add,
    index_page,
    statement_get,
    statement_put,
    statements_get,
)

__all__ = [
    "IndexEntry",
    "StatementExists",
    "StoredStatement",
    "TargetChanged",
    "index_add",
    "index_page",
    "statement_get",
    "statement_put",
    "statements_get",
]
