"""Teachers sign in to /admin/ with Cognito; everyone else is told why not."""

import boto3
import pytest
from botocore.stub import Stubber
from django.conf import settings

from accounts import cognito
from accounts.models import User
from langportal import aws


@pytest.fixture
def teacher(make_tokens):
    make_tokens("sensei", "teachers")
    return cognito._remembered()["sensei"]


def sign_in(client, username: str, password: str):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password})


@pytest.mark.django_db
def test_a_teacher_signs_in_and_sees_the_admin(client, teacher):
    response = sign_in(client, "sensei", teacher)
    assert response.status_code == 302 and response["Location"] == "/admin/"
    page = client.get("/admin/")
    assert page.status_code == 200
    assert b"langportal" in page.content
    user = User.objects.get(username="sensei")
    assert (user.is_staff, user.is_superuser) == (True, False)


@pytest.mark.django_db
def test_an_admin_is_a_superuser(client, make_tokens):
    make_tokens("root", "admins")
    sign_in(client, "root", cognito._remembered()["root"])
    assert User.objects.get(username="root").is_superuser


@pytest.mark.django_db
def test_a_student_is_refused_with_a_clear_message(client, make_tokens):
    make_tokens("hana", "students")
    response = sign_in(client, "hana", cognito._remembered()["hana"])
    assert response.status_code == 200
    assert "This account is not a teacher&#x27;s. Students sign in through the app." in response.content.decode()
    assert client.get("/admin/").status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["sensei", "nobody"])
def test_wrong_credentials_are_refused(client, teacher, username):
    response = sign_in(client, username, "not-the-password-1A")
    assert "Wrong username or password." in response.content.decode()


@pytest.mark.django_db
def test_a_new_password_challenge_is_explained(client, aws):
    boto3.client("cognito-idp", region_name=settings.AWS_REGION).admin_create_user(
        UserPoolId=aws.pool_id, Username="fresh", TemporaryPassword="Temporary-pass1", MessageAction="SUPPRESS"
    )
    response = sign_in(client, "fresh", "Temporary-pass1")
    assert response.status_code == 200
    assert "NEW_PASSWORD_REQUIRED" in response.content.decode()
    assert "ask an administrator" in response.content.decode()


@pytest.mark.django_db
def test_any_server_reads_a_session_even_one_that_never_saw_the_teacher(client, teacher):
    sign_in(client, "sensei", teacher)
    assert settings.SESSION_COOKIE_NAME in client.cookies
    User.objects.all().delete()  # another server: it has never seen this teacher
    assert client.get("/admin/").status_code == 200
    assert User.objects.get(username="sensei").is_staff


@pytest.mark.django_db
def test_a_teacher_demoted_in_cognito_is_signed_out(client, teacher, make_tokens, aws):
    sign_in(client, "sensei", teacher)
    make_tokens("sensei", "students")  # moved to students in Cognito...
    User.objects.all().delete()  # ...and read again from Cognito
    assert client.get("/admin/").status_code == 302


@pytest.mark.django_db
def test_signing_out(client, teacher):
    sign_in(client, "sensei", teacher)
    assert client.post("/admin/logout/").status_code == 200
    assert client.get("/admin/").status_code == 302


@pytest.mark.django_db
def test_cognito_down_is_explained(client, teacher, settings):
    with Stubber(aws.client("cognito-idp")) as stub:
        for _ in range(settings.AWS_MAX_ATTEMPTS):
            stub.add_client_error("initiate_auth", "InternalErrorException", http_status_code=500)
        response = sign_in(client, "sensei", teacher)
    assert "The sign-in service is unavailable." in response.content.decode()
