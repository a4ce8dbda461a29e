"""Admin sessions: server-side, ended everywhere by signing out, bound to Cognito."""

import hashlib
import time

import boto3
import pytest
from botocore.stub import Stubber
from django.conf import settings
from django.contrib.sessions.backends.base import UpdateError

from accounts import admin_access, cognito
from accounts.models import AdminSessionModel, User
from accounts.sessions import SessionStore
from langportal import aws
from langportal.local.strict import Fault
from vocabulary import services as vocabulary


def group_names() -> set[str]:
    return {group.name for group in vocabulary.groups_list(page=1, per_page=100).items}


@pytest.mark.django_db
def test_a_session_is_stored_under_a_hash_of_its_cookie(teacher_browser):
    cookie = teacher_browser.cookies[settings.SESSION_COOKIE_NAME].value
    stored = [item.key for item in AdminSessionModel.scan()]
    assert stored == [hashlib.sha256(cookie.encode()).hexdigest()]


@pytest.mark.django_db
def test_a_disabled_teacher_is_signed_out_when_the_check_is_due(teacher_browser, aws, settings):
    assert teacher_browser.get("/admin/").status_code == 200
    boto3.client("cognito-idp", region_name=settings.AWS_REGION).admin_disable_user(
        UserPoolId=aws.pool_id, Username="sensei"
    )
    assert teacher_browser.get("/admin/").status_code == 200
    settings.ADMIN_COGNITO_RECHECK_SECONDS = 0
    assert teacher_browser.get("/admin/")["Location"].startswith("/admin/login/")


@pytest.mark.django_db
def test_the_check_falls_due_exactly_when_the_interval_has_passed(teacher_browser, aws, settings, monkeypatch):
    settings.ADMIN_COGNITO_RECHECK_SECONDS = 60
    signed_in_at = time.time()
    boto3.client("cognito-idp", region_name=settings.AWS_REGION).admin_disable_user(
        UserPoolId=aws.pool_id, Username="sensei"
    )
    monkeypatch.setattr(admin_access.time, "time", lambda: signed_in_at + 59)
    assert teacher_browser.get("/admin/").status_code == 200  # not due: Cognito is not asked
    monkeypatch.setattr(admin_access.time, "time", lambda: signed_in_at + 60 + 1)
    assert teacher_browser.get("/admin/")["Location"].startswith("/admin/login/")


@pytest.mark.django_db
def test_a_check_cognito_cannot_answer_refuses_with_503_and_keeps_the_session(teacher_browser):
    with Stubber(aws.client("cognito-idp")) as stub:
        stub.add_client_error("list_users", "InternalErrorException", http_status_code=500)
        refused = teacher_browser.post("/admin/vocabulary/groups/", {"name": "Made while Cognito was down"})
    assert refused.status_code == 503 and refused["Retry-After"] == str(settings.AWS_RETRY_AFTER)
    assert "Made while Cognito was down" not in group_names()
    assert "sensei" not in refused.content.decode()  # the error page shows no one as signed in
    assert teacher_browser.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_an_expired_session_reads_as_none_and_gets_a_new_key(aws):
    session = SessionStore()
    session["step"] = 1
    session.set_expiry(-1)  # ended a second ago; DynamoDB's TTL deletes such items only within days
    session.create()
    expired = SessionStore(session.session_key)
    assert expired.load() == {} and expired.session_key is None


@pytest.mark.django_db
def test_a_session_deleted_meanwhile_is_not_saved_back(aws):
    session = SessionStore()
    session["step"] = 1
    session.create()
    meanwhile = SessionStore(session.session_key)
    meanwhile["step"] = 2
    assert SessionStore().exists(session.session_key)
    session.delete()
    with pytest.raises(UpdateError):
        meanwhile.save()
    assert not SessionStore().exists(session.session_key)


@pytest.mark.django_db
def test_a_copied_cookie_is_refused_after_sign_out_even_from_stale_replicas(
    strict_dynamodb, teacher_browser, browser_copy
):
    strict_dynamodb.configure(lag_ms=60_000, stale=Fault(1.0))
    copied = browser_copy(teacher_browser)
    teacher_browser.post("/admin/logout/")
    assert copied.get("/admin/").status_code == 302


@pytest.mark.django_db
def test_a_sign_in_whose_session_cannot_be_stored_is_503(client, make_tokens, strict_dynamodb, no_botocore_backoff):
    make_tokens("sensei", "teachers")
    strict_dynamodb.configure(throttle=Fault(1.0, operations=frozenset({"PutItem"})))
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "sensei", "password": cognito._remembered()["sensei"]}
    )
    assert response.status_code == 503 and response["Retry-After"] == str(settings.AWS_RETRY_AFTER)
    assert "The database is unavailable." in response.content.decode()
    strict_dynamodb.configure(throttle=Fault())
    assert list(AdminSessionModel.scan()) == []


@pytest.mark.django_db
def test_a_check_whose_time_cannot_be_stored_is_503(teacher_browser, settings, strict_dynamodb, no_botocore_backoff):
    settings.ADMIN_COGNITO_RECHECK_SECONDS = 0
    strict_dynamodb.configure(throttle=Fault(1.0, operations=frozenset({"PutItem"})))
    response = teacher_browser.get("/admin/")
    assert response.status_code == 503 and "The database is unavailable." in response.content.decode()


@pytest.mark.django_db
def test_signing_out_while_the_session_is_contended_still_ends_it(strict_dynamodb, teacher_browser, browser_copy):
    strict_dynamodb.configure(conflict=Fault(1.0, limit=2, operations=frozenset({"DeleteItem"})))
    copied = browser_copy(teacher_browser)
    assert teacher_browser.post("/admin/logout/").status_code == 200
    assert copied.get("/admin/").status_code == 302


def test_a_save_that_meets_a_transaction_on_its_session_is_made_again(strict_dynamodb, teacher_browser, settings):
    settings.ADMIN_COGNITO_RECHECK_SECONDS = 0  # every page stores the time of its check
    strict_dynamodb.configure(conflict=Fault(1.0, limit=2, operations=frozenset({"PutItem"})))
    assert teacher_browser.get("/admin/").status_code == 200
    assert strict_dynamodb.faults["conflict"] == 2


@pytest.mark.django_db
def test_a_teacher_made_admin_in_cognito_is_one_in_the_admin_at_the_next_check(teacher_browser, aws, settings):
    boto3.client("cognito-idp", region_name=settings.AWS_REGION).admin_add_user_to_group(
        UserPoolId=aws.pool_id, Username="sensei", GroupName="admins"
    )
    settings.ADMIN_COGNITO_RECHECK_SECONDS = 0
    assert teacher_browser.get("/admin/").status_code == 200
    assert User.objects.get(username="sensei").is_superuser
