"""Admin sessions over HTTP, on two web servers sharing the stack's tables and user pool: a
session is any server's to read, signing out ends it on both, and Cognito's word on a
teacher holds at once for changes and within a bound for everything else."""

import time
import uuid

import pytest

from .conftest import AdminBrowser, app_server

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

RECHECK_SECONDS = 3  # the second server asks Cognito again this often


@pytest.fixture(scope="module")
def second_server(stack) -> str:
    with app_server(stack, ADMIN_COGNITO_RECHECK_SECONDS=str(RECHECK_SECONDS)) as (url, _log):
        yield url


@pytest.fixture
def new_teacher(stack) -> tuple[str, str]:
    username = f"teacher-{uuid.uuid4().hex[:8]}"
    return username, stack.user_created(username, "teachers")


def copy_of(browser: AdminBrowser, base: str) -> AdminBrowser:
    """Another browser, on the server at `base`, holding a copy of `browser`'s cookies."""
    other = AdminBrowser(base)
    other.cookies.update(browser.cookies)
    return other


def signed_out(answer) -> bool:
    return answer.status_code == 302 and answer.headers["Location"].startswith("/admin/login/")


def group_names(teacher) -> set[str]:
    return {group["name"] for group in teacher.get("/api/groups", params={"per_page": 100}).json()["items"]}


def test_every_server_reads_a_session_and_signing_out_ends_it_on_all(stack, second_server, new_teacher):
    browser = AdminBrowser(stack.url).signed_in(*new_teacher)
    copied = copy_of(browser, second_server)
    assert copied.get("/admin/").status_code == 200
    assert browser.post("/admin/logout/", {}, token_from="/admin/").status_code == 200
    assert signed_out(copied.get("/admin/"))
    assert signed_out(copy_of(browser, stack.url).get("/admin/"))


def test_a_demoted_teacher_is_refused_at_the_next_post_and_within_the_bound_at_any_get(
    stack, second_server, new_teacher, teacher
):
    username, password = new_teacher
    posting = AdminBrowser(second_server).signed_in(username, password)
    reading = AdminBrowser(second_server).signed_in(username, password)
    form = posting.csrf("/admin/vocabulary/groups/")
    cognito = stack.cognito()
    cognito.admin_remove_user_from_group(UserPoolId=stack.pool_id, Username=username, GroupName="teachers")
    cognito.admin_add_user_to_group(UserPoolId=stack.pool_id, Username=username, GroupName="students")
    demoted_at = time.monotonic()

    name = f"Made after demotion {uuid.uuid4().hex[:6]}"
    url = f"{second_server}/admin/vocabulary/groups/"
    refused = posting.session.post(
        url, {"name": name, "csrfmiddlewaretoken": form}, headers={"Referer": url}, allow_redirects=False, timeout=60
    )
    assert signed_out(refused)
    assert name not in group_names(teacher)

    while not signed_out(answer := reading.get("/admin/")):
        assert answer.status_code == 200
        time.sleep(0.25)
    assert time.monotonic() - demoted_at <= RECHECK_SECONDS + 2


def test_a_disabled_user_cannot_sign_in_and_a_signed_in_one_is_signed_out(stack, second_server, new_teacher):
    username, password = new_teacher
    signed_in = AdminBrowser(second_server).signed_in(username, password)
    stack.cognito().admin_disable_user(UserPoolId=stack.pool_id, Username=username)
    time.sleep(RECHECK_SECONDS)
    assert signed_out(signed_in.get("/admin/"))

    answer = AdminBrowser(stack.url).sign_in(username, password)
    assert answer.status_code == 200 and "Wrong username or password." in answer.text
    assert "sessionid" not in answer.cookies
