"""Statement validation as a whole: what every statement needs, versions, timestamps, batches.

The other test_validation_* modules take one part of a statement each. Every rejected case
changes one thing in a valid statement and expects the message that names it.
"""

import copy

import pytest

from xapi.services.validation import StatementInvalid, statement_checked, statements_checked

from .factories import STATEMENT_ID, VERSIONS, activity, changed, full_statement, statement, without

VOIDED = "http://adlnet.gov/expapi/verbs/voided"


@pytest.mark.parametrize("version", VERSIONS)
def test_a_statement_with_every_property_is_accepted_unchanged(version):
    sent = full_statement()

    assert statement_checked(sent, version=version) == sent


@pytest.mark.parametrize("version", VERSIONS)
def test_a_statement_with_only_actor_verb_and_object_is_accepted(version):
    assert statement_checked(statement(), version=version) == statement()


REJECTED = [
    pytest.param(["not", "an", "object"], "statement: must be a Statement", id="not-an-object"),
    pytest.param(without(statement(), "actor"), "actor: is required in a Statement", id="no-actor"),
    pytest.param(without(statement(), "verb"), "verb: is required in a Statement", id="no-verb"),
    pytest.param(without(statement(), "object"), "object: is required in a Statement", id="no-object"),
    pytest.param(statement(foo=1), "foo: is not a property of a Statement", id="unknown-property"),
    pytest.param(
        {"Actor" if key == "actor" else key: value for key, value in statement().items()},
        "Actor: is not a property of a Statement",
        id="key-in-the-wrong-case",
    ),
    pytest.param(statement(result=None), "result: must not be null", id="null-property"),
    pytest.param(changed(statement(), "actor.name", None), "actor.name: must not be null", id="null-deep-inside"),
    pytest.param(statement(id=12345), "id: must be a string", id="id-not-a-string"),
    pytest.param(statement(id="6690e6c93ef04ed38b377f3964730bee"), "id: must be a UUID", id="id-without-dashes"),
    pytest.param(statement(id="MA97B177-9383-4934-8543-0F91A7A02836"), "id: must be a UUID", id="id-not-hex"),
    pytest.param(statement(id=""), "id: must be a UUID", id="id-empty"),
    pytest.param(statement(verb="http://adlnet.gov/expapi/verbs/attended"), "verb: must be a Verb", id="verb-string"),
    pytest.param(changed(statement(), "verb", {}), "verb.id: is required in a Verb", id="verb-without-id"),
    pytest.param(changed(statement(), "verb.id", "attended"), "verb.id: must be an IRI", id="verb-id-no-scheme"),
    pytest.param(
        changed(statement(), "verb.display", "answered"), "verb.display: must be a language map", id="verb-display"
    ),
    pytest.param(
        changed(statement(), "verb.display", {"en-US": None}), "verb.display.en-US: must not be null", id="display-null"
    ),
    pytest.param(changed(statement(), "verb.extra", 1), "verb.extra: is not a property of a Verb", id="verb-extra"),
    pytest.param(
        changed(statement(), "verb.id", VOIDED),
        "object: must be a StatementRef to the voided statement",
        id="voiding-an-activity",
    ),
    pytest.param(statement(stored="yesterday"), "stored: must be", id="stored-not-a-timestamp"),
    pytest.param(statement(timestamp=1714564800), "timestamp: must be a string", id="timestamp-a-number"),
    pytest.param(statement(version=1.0), "version: must be a string", id="version-a-number"),
    pytest.param(statement(version="0.9.9"), "version: must be 1.0.x", id="version-0.9"),
    pytest.param(statement(version="1.1.0"), "version: must be 1.0.x", id="version-1.1"),
    pytest.param(statement(version="should fail"), "version: must be 1.0.x", id="version-words"),
]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(("sent", "message"), REJECTED)
def test_a_statement_breaking_a_rule_is_rejected_naming_the_property(sent, message, version):
    with pytest.raises(StatementInvalid) as rejected:
        statement_checked(sent, version=version)

    assert message in rejected.value.message
    assert rejected.value.code == "invalid_statement"
    assert rejected.value.status == 400


def test_the_rejected_property_is_in_the_error_details():
    with pytest.raises(StatementInvalid) as rejected:
        statement_checked(changed(statement(), "actor.mbox", "hana@example.com"), version="2.0.0")

    assert rejected.value.details == {"property": "actor.mbox"}


def test_a_voiding_statement_refers_to_a_statement():
    voiding = statement(verb={"id": VOIDED}, object={"objectType": "StatementRef", "id": STATEMENT_ID})

    assert statement_checked(voiding, version="2.0.0") == voiding


@pytest.mark.parametrize(
    ("version", "statement_version", "accepted"),
    [
        ("2.0.0", "2.0.0", True),
        ("2.0.0", "2.0", True),
        ("2.0.0", "1.0.9", True),
        ("2.0.0", "1.0", True),
        ("2.0.0", "2.1.0", False),
        ("1.0.3", "1.0.3", True),
        ("1.0.3", "1.0", True),
        ("1.0.3", "2.0.0", False),
    ],
)
def test_a_statement_version_must_belong_to_the_request_version(version, statement_version, accepted):
    sent = statement(version=statement_version)

    if accepted:
        assert statement_checked(sent, version=version) == sent
    else:
        with pytest.raises(StatementInvalid, match="version: must be"):
            statement_checked(sent, version=version)


def test_an_unsupported_request_version_is_a_programming_error():
    with pytest.raises(ValueError, match=r"1\.0\.1"):
        statement_checked(statement(), version="1.0.1")


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("2023-05-04T12:00:00-05:00", "2023-05-04T17:00:00Z"),
        ("2008-09-15T15:53:00.601+00:00", "2008-09-15T15:53:00.601Z"),
        ("2024-01-01T08:30:00.123456789+09:00", "2023-12-31T23:30:00.123456789Z"),
        ("2024-05-01T12:00:00.123Z", "2024-05-01T12:00:00.123Z"),
    ],
)
def test_a_2_0_timestamp_is_stored_in_utc(sent, stored):
    checked = statement_checked(statement(timestamp=sent), version="2.0.0")

    assert checked["timestamp"] == stored


def test_a_2_0_substatement_timestamp_is_stored_in_utc():
    sent = statement(object={"objectType": "SubStatement", **statement(timestamp="2023-05-04T12:00:00-05:00")})

    assert statement_checked(sent, version="2.0.0")["object"]["timestamp"] == "2023-05-04T17:00:00Z"


def test_a_1_0_3_timestamp_is_kept_as_sent():
    sent = statement(timestamp="2023-05-04T12:00:00-05:00")

    assert statement_checked(sent, version="1.0.3")["timestamp"] == "2023-05-04T12:00:00-05:00"


@pytest.mark.parametrize(
    "timestamp", ["20080915T155300Z", "2008-09-15T15:53:00", "2008-09-15T15:53Z", "2008-W38-1T15:53:00Z"]
)
def test_an_iso8601_timestamp_outside_rfc3339_is_1_0_3_only(timestamp):
    sent = statement(timestamp=timestamp)

    assert statement_checked(sent, version="1.0.3") == sent
    with pytest.raises(StatementInvalid, match="timestamp: must be an RFC 3339 timestamp"):
        statement_checked(sent, version="2.0.0")


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("timestamp", ["2008-09-15T15:53:00.601-00:00", "2008-09-15T15:53:00.601-00", "01/011/2015"])
def test_a_timestamp_with_a_negative_zero_offset_or_no_format_is_rejected(timestamp, version):
    with pytest.raises(StatementInvalid, match=r"timestamp: must be an (RFC 3339|ISO 8601) timestamp"):
        statement_checked(statement(timestamp=timestamp), version=version)


def test_the_stored_property_is_checked_but_left_for_the_store():
    sent = statement(stored="2023-05-04T12:00:00-05:00")

    assert statement_checked(sent, version="2.0.0")["stored"] == "2023-05-04T12:00:00-05:00"


def test_checking_leaves_what_the_client_sent_untouched():
    sent = statement(timestamp="2023-05-04T12:00:00-05:00", context={"contextActivities": {"parent": activity()}})
    before = copy.deepcopy(sent)

    statement_checked(sent, version="2.0.0")

    assert sent == before


@pytest.mark.parametrize("version", VERSIONS)
def test_a_batch_is_checked_statement_by_statement(version):
    first, second = statement(id=STATEMENT_ID), statement(timestamp="2024-05-01T12:00:00Z")

    assert statements_checked([first, second], version=version) == [first, second]


def test_a_single_statement_is_a_batch_of_one():
    assert statements_checked(statement(), version="2.0.0") == [statement()]


def test_an_empty_batch_holds_no_statements():
    assert statements_checked([], version="1.0.3") == []


def test_a_batch_names_the_statement_that_breaks_a_rule():
    with pytest.raises(StatementInvalid, match=r"^\[1\]\.actor\.mbox: must be a mailto IRI"):
        statements_checked([statement(), changed(statement(), "actor.mbox", "x")], version="2.0.0")


def test_a_batch_may_not_use_an_id_twice_in_any_case():
    twice = [statement(id=STATEMENT_ID), statement(), statement(id=STATEMENT_ID.upper())]

    with pytest.raises(StatementInvalid, match=r"\[2\]\.id: is also the id of statement \[0\]"):
        statements_checked(twice, version="2.0.0")


@pytest.mark.parametrize("body", ["statement", 42, None])
def test_a_body_that_is_neither_statement_nor_array_is_rejected(body):
    with pytest.raises(StatementInvalid, match="must be a statement or an array of statements"):
        statements_checked(body, version="2.0.0")


def test_a_batch_item_that_is_not_an_object_is_rejected():
    with pytest.raises(StatementInvalid, match=r"\[0\]: must be a Statement"):
        statements_checked(["statement"], version="2.0.0")
