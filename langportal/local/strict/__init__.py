"""Strict mode for the local DynamoDB: moto answering as AWS may, within its documented guarantees.

moto is kinder than DynamoDB (see FACTS.md, "Where moto and DynamoDB differ"): it lets some
invalid keys through, always reads the latest data, never throttles, never reports a
conflict, never leaves part of a batch undone and never loses an answer. StrictDynamoDB
(`middleware`) is a WSGI middleware in front of moto's server app that adds those
behaviours back at the HTTP level, so botocore parses, retries and resends exactly as it
would against AWS. `protocol` has DynamoDB's limits, messages and answers, `validation`
what AWS refuses, `config` the faults and their rates, `history` what the middleware
remembers between requests, `batches` how a batch is cut into a processed part and the rest.
"""

from langportal.local.strict.config import ENVIRONMENT_VARIABLE, Fault, StrictConfig
from langportal.local.strict.middleware import StrictDynamoDB
from langportal.local.strict.protocol import EMPTY_KEY, THROTTLING

__all__ = ["EMPTY_KEY", "ENVIRONMENT_VARIABLE", "THROTTLING", "Fault", "StrictConfig", "StrictDynamoDB"]
