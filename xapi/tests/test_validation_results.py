"""A statement's Result and Attachments."""

import pytest

from xapi.services.validation import StatementInvalid, statement_checked

from .factories import VERSIONS, attachment, statement, substatement, without


def _score(**score):
    return statement(result={"score": score})


ACCEPTED = [
    pytest.param(statement(result={}), id="empty-result"),
    pytest.param(_score(scaled=-1, raw=-5.5, min=-10, max=0.5), id="score-at-the-low-edges"),
    pytest.param(_score(scaled=1, raw=100, min=0, max=100), id="score-at-the-high-edges"),
    pytest.param(_score(scaled=0.6767676, raw=0.12123434, min=0.12123434, max=45.45), id="score-decimals"),
    pytest.param(_score(raw=-3), id="raw-unrestricted-without-min-and-max"),
    pytest.param(_score(raw=5, min=1), id="raw-with-min-only"),
    pytest.param(_score(raw=5, max=10), id="raw-with-max-only"),
    pytest.param(statement(result={"success": False, "completion": True, "response": ""}), id="booleans-and-response"),
    *[
        pytest.param(statement(result={"duration": duration}), id=f"duration-{duration}")
        for duration in ("PT1H0M0.1S", "PT16559.14S", "P3Y1M29DT4H35M59.14S", "P4W", "P1DT12H36M0.12567S")
    ],
    pytest.param(statement(result={"extensions": {"http://example.com/ext": None}}), id="extension-null"),
    pytest.param(statement(attachments=[]), id="no-attachments"),
    pytest.param(statement(attachments=[attachment()]), id="attachment-sent-with-its-data"),
    pytest.param(
        statement(attachments=[attachment(description={"es-MX": "Un ensayo"}, fileUrl="http://over.there.com/f.txt")]),
        id="attachment-at-a-url",
    ),
    pytest.param(statement(attachments=[attachment(length=0, sha2="A" * 128)]), id="empty-attachment-sha512"),
    pytest.param(statement(object=substatement(attachments=[attachment()])), id="substatement-attachment"),
]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("sent", ACCEPTED)
def test_a_result_or_attachment_the_standard_allows_is_accepted(sent, version):
    assert statement_checked(sent, version=version) == sent


def _attachment_with(**changes):
    return statement(attachments=[attachment(**changes)])


def _attachment_without(key):
    return statement(attachments=[without(attachment(), key)])


REJECTED = [
    pytest.param(statement(result="passed"), "result: must be a Result", id="result-string"),
    pytest.param(statement(result={"grade": "A"}), "result.grade: is not a property of a Result", id="unknown"),
    pytest.param(statement(result={"score": 95}), "result.score: must be a Score", id="score-number"),
    pytest.param(_score(points=1), "result.score.points: is not a property of a Score", id="score-unknown"),
    pytest.param(_score(max="100"), "result.score.max: must be a number", id="number-as-string"),
    pytest.param(_score(raw=True), "result.score.raw: must be a number", id="boolean-as-number"),
    pytest.param(_score(min=float("nan")), "result.score.min: must be a number", id="not-a-number"),
    pytest.param(_score(scaled=1.01), "result.score.scaled: must be between -1 and 1", id="scaled-above-1"),
    pytest.param(_score(scaled=-1.01), "result.score.scaled: must be between -1 and 1", id="scaled-below-minus-1"),
    pytest.param(_score(raw=101, min=0, max=100), "result.score.raw: must not be more than max", id="raw-above-max"),
    pytest.param(_score(raw=-1, min=0, max=100), "result.score.raw: must not be less than min", id="raw-below-min"),
    pytest.param(_score(raw=-1, min=0), "result.score.raw: must not be less than min", id="raw-below-min-alone"),
    pytest.param(_score(raw=11, max=10), "result.score.raw: must not be more than max", id="raw-above-max-alone"),
    pytest.param(_score(min=104.67, max=100.67), "result.score.min: must be less than max", id="min-above-max"),
    pytest.param(_score(min=5, max=5), "result.score.min: must be less than max", id="min-equal-to-max"),
    pytest.param(statement(result={"success": "true"}), "result.success: must be true or false", id="success-string"),
    pytest.param(statement(result={"completion": 1}), "result.completion: must be true or false", id="completion-1"),
    pytest.param(statement(result={"response": 12345}), "result.response: must be a string", id="response-number"),
    pytest.param(statement(result={"duration": 3600}), "result.duration: must be a string", id="duration-number"),
    *[
        pytest.param(statement(result={"duration": duration}), "result.duration: must be an ISO 8601 duration")
        for duration in ("PA1H0M0S", "P4W1D", "P0003-01-29T04:35:59", "1:00:00", "")
    ],
    pytest.param(statement(result={"extensions": 7}), "result.extensions: must be an extensions object"),
    pytest.param(statement(result={"extensions": {"tries": 2}}), "result.extensions: key 'tries' must be an IRI"),
    pytest.param(statement(attachments=attachment()), "attachments: must be an array", id="attachments-object"),
    pytest.param(statement(attachments=[12345]), "attachments[0]: must be an Attachment", id="attachment-number"),
    *[
        pytest.param(_attachment_without(key), f"attachments[0].{key}: is required in an Attachment", id=f"no-{key}")
        for key in ("usageType", "display", "contentType", "length", "sha2")
    ],
    pytest.param(_attachment_with(name="essay"), "attachments[0].name: is not a property of an Attachment"),
    pytest.param(_attachment_with(usageType="essay"), "attachments[0].usageType: must be an IRI", id="usage-type"),
    pytest.param(_attachment_with(display="Essay"), "attachments[0].display: must be a language map", id="display"),
    pytest.param(
        _attachment_with(display={"something": "Essay"}),
        "attachments[0].display: 'something' is not an RFC 5646 language tag",
        id="display-tag",
    ),
    pytest.param(_attachment_with(description=1), "attachments[0].description: must be a language map"),
    pytest.param(_attachment_with(contentType=12345), "attachments[0].contentType: must be a string"),
    pytest.param(_attachment_with(contentType="text"), "attachments[0].contentType: must be an Internet media type"),
    pytest.param(_attachment_with(length="27"), "attachments[0].length: must be an integer", id="length-string"),
    pytest.param(_attachment_with(length=27.5), "attachments[0].length: must be an integer", id="length-fraction"),
    pytest.param(_attachment_with(length=-1), "attachments[0].length: must not be negative", id="length-negative"),
    pytest.param(_attachment_with(length=True), "attachments[0].length: must be an integer", id="length-boolean"),
    pytest.param(_attachment_with(sha2=12345), "attachments[0].sha2: must be a string", id="sha2-number"),
    pytest.param(_attachment_with(sha2="abc"), "attachments[0].sha2: must be the hex digest of a SHA-2 hash"),
    pytest.param(_attachment_with(fileUrl="should fail"), "attachments[0].fileUrl: must be an IRL", id="file-url"),
]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(("sent", "message"), REJECTED)
def test_a_result_or_attachment_breaking_a_rule_is_rejected_naming_the_property(sent, message, version):
    with pytest.raises(StatementInvalid) as rejected:
        statement_checked(sent, version=version)

    assert message in rejected.value.message
