"""Our validator against ADL's LRS conformance suite: every statement its configs send.

conformance/cases.json.gz holds them (conformance/dump_cases.js writes it from the suite),
each with the versions it is sent for and whether the suite expects it accepted (200) or
rejected (400). The suite's other statement tests, written inline in its JavaScript, are
among the hand-written cases of the other test_validation_* modules.
"""

import gzip
import json
from pathlib import Path

import pytest

from xapi.services.validation import StatementInvalid, statement_checked

CASES = json.loads(gzip.decompress((Path(__file__).parent / "conformance" / "cases.json.gz").read_bytes()))["cases"]


SENT = [
    pytest.param(case["statement"], case["accepted"], version, id=f"{version} {case['config']}: {case['name']}")
    for case in CASES
    for version in case["versions"]
]


@pytest.mark.parametrize(("sent", "accepted", "version"), SENT)
def test_the_suite_and_the_validator_agree(sent, accepted, version):
    if accepted:
        assert statement_checked(sent, version=version)
    else:
        with pytest.raises(StatementInvalid):
            statement_checked(sent, version=version)
