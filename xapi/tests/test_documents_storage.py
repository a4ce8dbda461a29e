"""Where documents are kept: a large one's content in S3, never left behind when it is
replaced or deleted, never lost to a write whose answer was lost."""

import json

import pytest
from django.conf import settings

from langportal.aws import client as aws_client
from langportal.local.strict import Fault
from xapi.models import DocumentModel
from xapi.repositories import documents as repo
from xapi.tests.document_factories import ACTIVITY_PROFILE, STATE, document_params, without_id

LARGE = {"notes": "x" * 100}


@pytest.fixture
def small_inline(settings):
    settings.XAPI_DOCUMENT_INLINE_BYTES = 64


def s3_keys() -> list[str]:
    listed = aws_client("s3").list_objects_v2(Bucket=settings.MEDIA_BUCKET, Prefix="xapi/documents/")
    return sorted(entry["Key"] for entry in listed.get("Contents", []))


def items() -> list[DocumentModel]:
    return list(DocumentModel.scan())


def test_a_small_document_is_kept_in_its_item(xapi, small_inline):
    xapi.put(STATE, {"n": 1}, document_params(STATE))

    (item,) = items()
    assert item.content == b'{"n": 1}' and item.content_key is None
    assert s3_keys() == []


def test_a_large_document_is_kept_in_s3_and_read_back_whole(xapi, small_inline):
    params = document_params(STATE)
    xapi.put(STATE, LARGE, params, content_type="application/json; charset=utf-8")

    (item,) = items()
    assert item.content is None and s3_keys() == [item.content_key]
    assert item.content_key.startswith("xapi/documents/")
    answer = xapi.get(STATE, params)
    assert answer.json() == LARGE and answer["Content-Type"] == "application/json; charset=utf-8"


@pytest.mark.parametrize(("replacement", "objects"), [({"notes": "y" * 100}, 1), ({"n": 1}, 0)])
def test_replacing_a_large_document_removes_its_old_content(xapi, small_inline, replacement, objects):
    params = document_params(STATE)
    xapi.put(STATE, LARGE, params)
    old = s3_keys()

    xapi.put(STATE, replacement, params, **{"If-Match": xapi.get(STATE, params)["ETag"]})

    assert xapi.get(STATE, params).json() == replacement
    assert len(s3_keys()) == objects and not set(old) & set(s3_keys())


def test_a_merge_into_a_large_document_reads_its_content_from_s3(xapi, small_inline):
    params = document_params(ACTIVITY_PROFILE)
    xapi.post(ACTIVITY_PROFILE, LARGE, params)

    xapi.post(ACTIVITY_PROFILE, {"more": 1}, params)

    assert xapi.get(ACTIVITY_PROFILE, params).json() == {**LARGE, "more": 1}
    assert len(s3_keys()) == 1


def test_deleting_a_large_document_removes_its_content(xapi, small_inline):
    params = document_params(ACTIVITY_PROFILE)
    xapi.post(ACTIVITY_PROFILE, LARGE, params)

    xapi.delete(ACTIVITY_PROFILE, params)

    assert s3_keys() == [] and items() == []


def test_deleting_every_state_removes_their_content(xapi, small_inline):
    first = document_params(STATE)
    for params in (first, document_params(STATE)):
        xapi.post(STATE, LARGE, params)

    xapi.delete(STATE, without_id(STATE, first))

    assert s3_keys() == [] and items() == []


def test_the_content_of_a_write_that_lost_a_race_is_removed(xapi, make_xapi_client, small_inline, race):
    params = document_params(STATE)
    xapi.post(STATE, LARGE, params)
    other = make_xapi_client()
    race(lambda: other.post(STATE, {"theirs": "t" * 100}, params))

    assert xapi.post(STATE, {"mine": "m" * 100}, params).status_code == 204

    assert xapi.get(STATE, params).json() == {**LARGE, "theirs": "t" * 100, "mine": "m" * 100}
    assert s3_keys() == [items()[0].content_key]


def test_a_read_that_meets_a_replace_of_its_content_reads_again(xapi, make_xapi_client, small_inline, monkeypatch):
    """The item read points at content that a replace has removed before it was fetched."""
    params = document_params(ACTIVITY_PROFILE)
    xapi.post(ACTIVITY_PROFILE, LARGE, params)
    other, fetch, pending = make_xapi_client(), repo._content_read, [True]

    def replaced_first(key):
        if pending and pending.pop():
            other.put(ACTIVITY_PROFILE, {"new": "n" * 100}, params, **{"If-Match": "*"})
        return fetch(key)

    monkeypatch.setattr(repo, "_content_read", replaced_first)

    assert xapi.get(ACTIVITY_PROFILE, params).json() == {"new": "n" * 100}


def test_a_large_write_whose_answer_was_lost_keeps_its_content(xapi, small_inline, strict_dynamodb):
    """botocore resends the PutItem whose answer was lost; the resend fails its condition,
    as the item is there: the write is known as ours, and its content stays."""
    strict_dynamodb.configure(lost=Fault(1.0, limit=1, operations=frozenset({"PutItem"})))
    params = document_params(ACTIVITY_PROFILE)

    assert xapi.put(ACTIVITY_PROFILE, LARGE, params, **{"If-None-Match": "*"}).status_code == 204

    assert strict_dynamodb.faults["lost"] == 1
    assert json.loads(xapi.get(ACTIVITY_PROFILE, params).content) == LARGE
