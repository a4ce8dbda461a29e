"""Basic credentials of the xAPI store in the admin: administrators make them (the secret
shown once), list and revoke them; teachers are refused; bad input is a 400."""

import base64
import html
import re

import pytest
from django.test import Client

from xapi.services import credentials

PAGE = "/admin/xapi/credentials/"


def revoke_page(key: str) -> str:
    return f"/admin/xapi/credentials/{key}/revoke/"


def shown(page: str, field: str) -> str:
    return html.unescape(re.search(rf'<code id="credential-{field}">([^<]*)</code>', page)[1])


def statements_answer(key: str, secret: str):
    token = base64.b64encode(f"{key}:{secret}".encode()).decode()
    return Client().get("/xapi/statements", HTTP_AUTHORIZATION=f"Basic {token}", HTTP_X_EXPERIENCE_API_VERSION="2.0.0")


def test_the_admin_index_links_to_the_credentials_for_administrators_only(admin_browser, teacher_browser):
    assert f'href="{PAGE}"' in admin_browser.get("/admin/").content.decode()
    assert f'href="{PAGE}"' not in teacher_browser.get("/admin/").content.decode()


def test_the_form_offers_every_scope_with_what_it_grants(admin_browser):
    page = admin_browser.get(PAGE).content.decode()
    for scope, grants in (("statements/write", "store statements"), ("all/read", "read everything")):
        assert f'value="{scope}"' in page
        assert f"{scope}: {grants}" in page
    assert "csrfmiddlewaretoken" in page


def test_a_new_credentials_secret_is_shown_once_and_works(admin_browser):
    made = admin_browser.post(PAGE, {"name": "School LMS", "scopes": ["statements/read", "statements/write"]})

    assert made.status_code == 200
    page = made.content.decode()
    key, secret = shown(page, "key"), shown(page, "secret")
    assert shown(page, "endpoint") == "http://testserver/xapi/"
    assert "statements/read, statements/write" in page
    assert "no-store" in made["Cache-Control"]
    assert statements_answer(key, secret).status_code == 200
    [stored] = credentials.credentials_list()
    assert (stored.key, stored.name, stored.created_by) == (key, "School LMS", "root")
    assert stored.scopes == {"statements/read", "statements/write"}
    assert secret not in admin_browser.get(PAGE).content.decode()
    assert secret not in stored.secret_digest


def test_the_list_shows_each_credential_with_who_made_it_and_whether_it_is_revoked(admin_browser):
    lms = credentials.credential_create(name="LMS", scopes=["all"], created_by="hiro").credential
    old = credentials.credential_create(name="Old tool", scopes=["statements/read/mine", "state"], created_by="root")
    credentials.credential_revoke(old.credential.key)

    page = admin_browser.get(PAGE).content.decode()

    lms_row = page.split(f'id="credential-{lms.key}"')[1].split("</tr>")[0]
    assert "<th>LMS</th>" in lms_row and f"<code>{lms.key}</code>" in lms_row and ">all<" in lms_row
    assert f"<td>{lms.created}</td><td>hiro</td>" in lms_row
    assert '<td class="credential-revoked">no</td>' in lms_row
    assert revoke_page(lms.key) in lms_row
    old_row = page.split(f'id="credential-{old.credential.key}"')[1].split("</tr>")[0]
    assert "state, statements/read/mine" in old_row
    [revoked] = [found.revoked for found in credentials.credentials_list() if found.key == old.credential.key]
    assert f'<td class="credential-revoked">{revoked}</td>' in old_row
    assert revoke_page(old.credential.key) not in old_row


def test_revoking_asks_first_then_the_credential_is_refused(admin_browser):
    made = credentials.credential_create(name="LMS", scopes=["all"], created_by="root")
    key = made.credential.key
    assert statements_answer(key, made.secret).status_code == 200

    question = admin_browser.get(revoke_page(key))
    assert question.status_code == 200
    assert "Revoke the credential “LMS”" in question.content.decode()
    assert 'id="confirm-revoke"' in question.content.decode()
    assert credentials.credentials_list()[0].revoked is None

    revoked = admin_browser.post(revoke_page(key))

    assert revoked.status_code == 302 and revoked["Location"] == PAGE
    assert f"Revoked the credential “LMS” ({key})." in admin_browser.get(PAGE).content.decode()
    assert credentials.credentials_list()[0].revoked is not None
    assert statements_answer(key, made.secret).status_code == 401


def test_revoking_again_keeps_when_it_was_revoked(admin_browser):
    key = credentials.credential_create(name="LMS", scopes=["all"], created_by="root").credential.key
    admin_browser.post(revoke_page(key))
    first = credentials.credentials_list()[0].revoked

    again = admin_browser.post(revoke_page(key))

    assert again.status_code == 302 and credentials.credentials_list()[0].revoked == first
    assert f"was revoked on {first}" in admin_browser.get(revoke_page(key)).content.decode()


def test_revoking_an_unknown_credential_is_404(admin_browser):
    assert admin_browser.get(revoke_page("0123456789abcdef0123")).status_code == 404
    assert admin_browser.post(revoke_page("0123456789abcdef0123")).status_code == 404


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"name": "", "scopes": ["all"]}, "This field is required."),
        ({"name": "   ", "scopes": ["all"]}, "This field is required."),
        ({"name": "LMS"}, "Choose at least one scope."),
        ({"name": "LMS", "scopes": ["everything"]}, "Select a valid choice. everything is not one of the available"),
        ({"name": "x" * 101, "scopes": ["all"]}, "Ensure this value has at most 100 characters"),
    ],
)
def test_bad_input_is_400_with_the_forms_errors_and_makes_nothing(admin_browser, fields, error):
    answer = admin_browser.post(PAGE, fields)
    assert answer.status_code == 400
    assert error in html.unescape(answer.content.decode())
    assert 'id="credential-secret"' not in answer.content.decode()
    assert credentials.credentials_list() == []


def test_teachers_may_not_see_make_or_revoke_credentials(teacher_browser):
    key = credentials.credential_create(name="LMS", scopes=["all"], created_by="root").credential.key
    for answer in (
        teacher_browser.get(PAGE),
        teacher_browser.post(PAGE, {"name": "Mine", "scopes": ["all"]}),
        teacher_browser.get(revoke_page(key)),
        teacher_browser.post(revoke_page(key)),
    ):
        assert answer.status_code == 403
        assert "Only administrators manage the xAPI store" in answer.content.decode()
    assert [(found.name, found.revoked) for found in credentials.credentials_list()] == [("LMS", None)]


def test_changes_need_the_csrf_token(admin_browser, make_tokens):
    guarded = Client(enforce_csrf_checks=True)
    guarded.cookies = admin_browser.cookies
    key = credentials.credential_create(name="LMS", scopes=["all"], created_by="root").credential.key
    assert guarded.post(PAGE, {"name": "Forged", "scopes": ["all"]}).status_code == 403
    assert guarded.post(revoke_page(key)).status_code == 403
    assert [(found.name, found.revoked) for found in credentials.credentials_list()] == [("LMS", None)]


def test_signed_out_visitors_are_sent_to_sign_in(db, aws):
    answer = Client().get(PAGE)
    assert answer.status_code == 302 and answer["Location"].startswith("/admin/login/")
