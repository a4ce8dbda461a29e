"""The attacks we know of, each tried as a test that asserts the refusal and that nothing
changed (docs/security.md maps each to its defence).

The admin: sign-in and sessions:
- A cookie copied before sign-out, a forged one, or a session key planted before sign-in
  must sign no one in.
- A teacher demoted or disabled in Cognito must change nothing at once, and see nothing
  once the re-check is due; a disabled user must not sign in.
- Guessed passwords are cut off before Cognito is asked; a password alone signs no
  teacher in when codes are required; a sign-in never redirects off-site.
- A broken page link is a 400, never a 500.

Exports, uploads and imports:
- CSV injection: words that a spreadsheet would run as formulas, in every exported column.
- Oversized computed fields: romaji computed from the Japanese past the stored limit.
- Decompression bombs: a PNG of a few hundred bytes that declares a huge image, through
  the API, the admin's word form and the media Lambda.
- Oversized uploads streamed to the admin's word form and import form: announced by
  Content-Length, sent without one, or larger than the Content-Length says.
- Import documents past a limit: deep JSON, too many rows, a field too long.

AI hints:
- A model that hangs must not hold the request (nor, through it, the server's threads):
  the hint comes back within its deadline, from the offline provider or as a 503, and
  nothing the hung model might say is cached.
- A model's answer carrying markup must reach learners as plain text only.
- A teacher's correction of a word must not be hidden behind a cached hint.
- The offline hint must not state as a fact what the learner typed (a lesson the word
  is not in).

Bedrock is a real local HTTP server reached by the app's botocore client.

The xAPI store:
- A teacher must not give a tool (or another store) access to the statements: only
  administrators make credentials and forwarding rules.
- A credential's secret must not be readable after the page that shows it once; a revoked
  credential must be refused at once.
- A forwarding target's secret must never be shown back, and must never cross the network
  in clear (https only, but to this machine); a target that never answers must not hold
  the forwarder past its timeout.

The deployment:
- Plain HTTP must never be served in production, whatever proxy headers a client forges:
  it is redirected to HTTPS, and a write sent over it is not performed. The one header
  trusted, X-Forwarded-Proto, is set by the load balancer's HTTPS listener on every request.
- The redirect must not become a loop: what the HTTPS listener forwards is served, with HSTS.
- The health checks' exemption from the redirect must cover their two paths exactly.
- A redirect must never send a browser to a host the client chose.
- A Lambda, if compromised, must not be able to read the secret key: neither its
  environment nor its role gives it access.
- The load balancer must have no plain-HTTP listener, and API Gateway must check its
  certificate; the user pool must offer TOTP and run threat protection.

The settings are the production ones, made by langportal/settings.py from the
environment terraform gives the instances.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import runpy
import struct
import time
import zlib
from pathlib import Path

import boto3
import hcl2
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from hcl2.utils import SerializationOptions

from accounts import cognito
from accounts.models import AdminSessionModel
from ai_hints.models import HintCacheModel
from langportal.api.uploads import FORM_OVERHEAD
from langportal.errors import InvalidInput
from vocabulary import lambdas, media, seeding, services
from vocabulary import repositories as repo
from vocabulary.documents import document_parse
from vocabulary.seeding import starter_document
from xapi.models import CredentialModel
from xapi.repositories import forwarding as forwarding_repo
from xapi.services import credentials, forwarder, forwarding
from xapi.tests.target_lrs import a_statement

# === The admin: sign-in and sessions ================================================


GROUPS = "/admin/vocabulary/groups/"


@pytest.fixture
def teacher(make_tokens) -> None:
    make_tokens("sensei", "teachers")


def password(username: str = "sensei") -> str:
    return cognito._remembered()[username]


def sign_in(client, username: str = "sensei", secret: str | None = None, *, next_url: str = "/admin/"):
    return client.post(f"/admin/login/?next={next_url}", {"username": username, "password": secret or password()})


def idp():
    return boto3.client("cognito-idp", region_name=settings.AWS_REGION)


def group_names() -> set[str]:
    return {group.name for group in services.groups_list(page=1, per_page=100).items}


def signed_out(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/admin/login/")


@pytest.mark.django_db
def test_a_cookie_copied_before_sign_out_is_refused_after_it(teacher_browser, browser_copy, make_tokens):
    tokens = make_tokens("sensei", "teachers")  # another sign-in of the same teacher, elsewhere
    stolen = browser_copy(teacher_browser)
    teacher_browser.post("/admin/logout/")
    assert signed_out(stolen.post(GROUPS, {"name": "Made with a stolen cookie"}))
    assert signed_out(stolen.get("/admin/"))
    assert "Made with a stolen cookie" not in group_names() and list(AdminSessionModel.scan()) == []
    with pytest.raises(idp().exceptions.NotAuthorizedException):  # the sign-in's tokens are revoked too
        idp().initiate_auth(
            ClientId=settings.COGNITO_APP_CLIENT_IDS[0],
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": tokens.refresh_token},
        )


@pytest.mark.django_db
def test_a_forged_session_cookie_signs_no_one_in(teacher_browser):
    forged = Client()
    forged.cookies[settings.SESSION_COOKIE_NAME] = "0123456789abcdefghijklmnopqrstuv"
    assert signed_out(forged.post(GROUPS, {"name": "Made with a forged cookie"}))
    assert "Made with a forged cookie" not in group_names() and len(list(AdminSessionModel.scan())) == 1


@pytest.mark.django_db
def test_a_session_key_planted_before_sign_in_is_not_the_one_signed_in(client, teacher):
    client.get("/admin/login/")
    client.session.save()  # a session the attacker knows the key of...
    planted = client.cookies[settings.SESSION_COOKIE_NAME].value
    sign_in(client)  # ...the victim signs in with it
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != planted
    attacker = Client()
    attacker.cookies[settings.SESSION_COOKIE_NAME] = planted
    assert signed_out(attacker.get("/admin/"))


@pytest.mark.django_db
def test_a_demoted_teacher_changes_nothing_and_is_signed_out(teacher_browser, make_tokens):
    make_tokens("sensei", "students")  # moved out of teachers in Cognito
    assert signed_out(teacher_browser.post(GROUPS, {"name": "Made after demotion"}))
    assert "Made after demotion" not in group_names()
    assert signed_out(teacher_browser.get("/admin/")) and list(AdminSessionModel.scan()) == []


@pytest.mark.django_db
def test_a_disabled_teacher_is_signed_out_once_the_check_is_due_and_cannot_sign_in_again(
    teacher_browser, aws, settings
):
    idp().admin_disable_user(UserPoolId=aws.pool_id, Username="sensei")
    settings.ADMIN_COGNITO_RECHECK_SECONDS = 0
    assert signed_out(teacher_browser.get("/admin/"))
    again = sign_in(Client())
    assert again.status_code == 200 and "Wrong username or password." in again.content.decode()
    assert list(AdminSessionModel.scan()) == []


@pytest.mark.django_db
def test_guessing_passwords_is_cut_off_before_cognito_is_asked(client, teacher, settings):
    for attempt in range(settings.ADMIN_SIGN_IN_FAILURES_PER_USER):
        assert sign_in(client, secret=f"Guess-{attempt}-aA1").status_code == 200
    refused = sign_in(client)  # even the right password, until the window ends
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert signed_out(client.get("/admin/")) and list(AdminSessionModel.scan()) == []


@pytest.mark.django_db
def test_a_password_alone_signs_no_teacher_in_when_codes_are_required(client, teacher, settings):
    settings.ADMIN_MFA_REQUIRED = True
    assert sign_in(client)["Location"] == "/admin/login/setup/"
    assert signed_out(client.get("/admin/"))
    assert signed_out(client.post(GROUPS, {"name": "Made with a password alone"}))
    assert "Made with a password alone" not in group_names()


@pytest.mark.django_db
def test_a_sign_in_never_redirects_to_another_site(client, teacher, settings):
    assert sign_in(client, next_url="https://evil.example/")["Location"] == "/admin/"
    client.post("/admin/logout/")
    settings.ADMIN_MFA_REQUIRED = True
    sign_in(client, next_url="https://evil.example/")
    secret = cognito.totp_secret(access_token=client.session["second_factor"]["access_token"])
    assert secret  # the emulator takes any code here: what matters is where it sends the browser
    assert client.post("/admin/login/setup/", {"code": "123456"})["Location"] == "/admin/"


@pytest.mark.django_db
def test_a_broken_page_link_on_the_students_page_is_a_400(teacher_browser):
    response = teacher_browser.get("/admin/lrs/students/?next=not-a-token")
    assert response.status_code == 400
    assert "start again from the first page" in response.content.decode()


# === Exports, uploads and imports ===================================================


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SMALL_LIMIT = 100_000  # bytes: uploads in these tests are a few times that


def stored_keys() -> list[str]:
    s3 = boto3.client("s3", region_name=settings.AWS_REGION)
    return [item["Key"] for item in s3.list_objects_v2(Bucket=settings.MEDIA_BUCKET).get("Contents", [])]


def word_count() -> int:
    return services.words_total()


# --- CSV injection ---------------------------------------------------------------------


@pytest.fixture
def formula_words(aws):
    """Per formula start, a word with it in every text column: one computing its kana and
    romaji from a Japanese that starts so, one given them. Made through the service
    itself: the API trims tabs and carriage returns, the service stores what it is given."""
    made = []
    for start in FORMULA_STARTS:
        made.append(services.word_create(japanese=f"{start}猫", english=f"{start}HYPERLINK(1)"))
        made.append(
            services.word_create(
                japanese=f"{start}犬", kana=f"{start}いぬ", romaji=f"{start}inu", english=f"{start}dog"
            )
        )
    return made


def test_export_neutralises_every_formula_cell(admin_export, formula_words):
    assert formula_words[0].kana.startswith("=") and formula_words[0].romaji.startswith("=")  # computed so
    rows = list(csv.DictReader(io.StringIO(admin_export("csv").decode())))
    assert len(rows) == len(formula_words)
    for word, row in zip(formula_words, rows, strict=True):
        for column in ("japanese", "kana", "romaji", "english"):
            value = getattr(word, column)
            assert row[column] == (f"'{value}" if value.startswith(FORMULA_STARTS) else value), column
    cells = [cell for row in rows for cell in row.values()]
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    assert repo.words_get([word.id for word in formula_words]) == formula_words  # an export changes nothing


def test_a_computed_romaji_past_the_limit_is_400_and_not_stored(teacher_api, api_error):
    response = teacher_api.post("/api/words", {"japanese": "学校" * 50, "english": "schools"}, format="json")
    error = api_error(response, 400, "invalid")
    assert "romaji computed from the Japanese would be 349 characters long" in error["message"]
    assert "romaji" in error["details"]
    assert word_count() == 0


# --- decompression bombs ---------------------------------------------------------------


def png_declaring(width: int, height: int) -> bytes:
    """A PNG whose header declares width × height pixels, with a few bytes of image data:
    nothing stops a decoder from allocating the whole picture before it finds them short."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    )


WORD_FORM = {"japanese": "水", "kana": "みず", "english": "water", "group_ids": ["2"]}  # word 3 as it is
BOMBS = [  # past our limit (40 Mpx by default), where Pillow warns, and past twice it, where it refuses too
    pytest.param(
        7_000,
        7_000,
        "7000×7000",
        id="49Mpx",
        marks=pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning"),
    ),
    pytest.param(30_000, 30_000, "more", id="900Mpx"),
]


@pytest.mark.parametrize(("width", "height", "declared"), BOMBS)
def test_api_refuses_a_huge_declared_image_unread(teacher_api, words, api_error, width, height, declared):
    bomb = png_declaring(width, height)
    assert len(bomb) < 200
    response = teacher_api.post(
        "/api/words/upload",
        {"word_id": "1", "file": SimpleUploadedFile("bomb.png", bomb, "image/png")},
        format="multipart",
    )
    error = api_error(response, 413, "image_too_large")
    assert (
        error["message"]
        == f"Images may have at most {settings.MEDIA_MAX_IMAGE_PIXELS} pixels; this one has {declared}."
    )
    assert error["details"]["max_pixels"] == settings.MEDIA_MAX_IMAGE_PIXELS
    assert repo.word_get("1").image_key is None
    assert stored_keys() == []


@pytest.mark.parametrize(("width", "height", "declared"), BOMBS)
def test_admin_refuses_a_huge_declared_image_unread(teacher_browser, words, width, height, declared):
    before = repo.word_get("3")
    response = teacher_browser.post(
        "/admin/vocabulary/words/3/change/",
        {**WORD_FORM, "image": SimpleUploadedFile("bomb.png", png_declaring(width, height), "image/png")},
    )
    assert response.status_code == 200
    assert f"pixels; this one has {declared}." in response.content.decode()
    assert repo.word_get("3") == before
    assert stored_keys() == []


def test_media_lambda_refuses_a_huge_declared_image_unread(words, settings):
    """An image put in the bucket some other way than our upload (which checks it first)."""
    settings.MEDIA_PROCESSING = "lambda"
    key = media.new_key("1", media.ACCEPTED["png"])
    default_storage.save(key, ContentFile(png_declaring(30_000, 30_000)))
    word = repo.word_get("1")
    repo.words_write([(word, repo.replace_word(word, image_key=key))])
    event = {"Records": [{"s3": {"bucket": {"name": settings.MEDIA_BUCKET}, "object": {"key": key}}}]}
    assert lambdas.process_media(event, None) == {key: "refused"}
    after = repo.word_get("1")
    assert (after.image_key, after.image_width, after.thumbnail_key) == (None, None, None)
    assert stored_keys() == []
    assert lambdas.process_media(event, None) == {key: "ignored"}  # S3 delivering it again


# --- oversized uploads, streamed -------------------------------------------------------


class Body:
    """A request body made as it is read, counting what the server took of it: a
    multipart form whose file part holds `file_bytes` bytes."""

    def __init__(self, fields: dict[str, str], file_field: str, file_name: str, file_bytes: int):
        form = encode_multipart(BOUNDARY, fields).removesuffix(f"--{BOUNDARY}--\r\n".encode())
        self.head = (
            form
            + (
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{file_name}"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n"
            ).encode()
        )
        self.tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.size = len(self.head) + file_bytes + len(self.tail)
        self.read_bytes = 0

    def _at(self, position: int, size: int) -> bytes:
        head_end, file_end = len(self.head), self.size - len(self.tail)
        out = b""
        if position < head_end:
            out += self.head[position : position + size]
        start = max(position, head_end)
        end = min(position + size, file_end)
        out += b"x" * max(0, end - start)
        if position + size > file_end:
            out += self.tail[max(0, position - file_end) : position + size - file_end]
        return out

    def read(self, size: int = -1) -> bytes:
        size = self.size - self.read_bytes if size is None or size < 0 else size
        data = self._at(self.read_bytes, size)
        self.read_bytes += len(data)
        return data

    def readline(self, size: int = -1) -> bytes:
        return self.read(size)


def post_streamed(client, url: str, body: Body, content_length: int | None):
    environ = {"wsgi.input": body, "CONTENT_TYPE": MULTIPART_CONTENT}
    if content_length is not None:
        environ["CONTENT_LENGTH"] = str(content_length)
    return client.generic("POST", url, **environ)


STREAMED = [
    pytest.param("/admin/vocabulary/words/3/change/", WORD_FORM, "image", 2, id="word form"),
    pytest.param("/admin/vocabulary/words/import/", {}, "file", 1, id="import form"),
]


@pytest.fixture
def small_limits(settings):
    settings.MEDIA_MAX_UPLOAD_BYTES = settings.IMPORT_MAX_BYTES = SMALL_LIMIT


def assert_nothing_stored(before) -> None:
    assert repo.word_get("3") == before
    assert word_count() == 5
    assert stored_keys() == []


@pytest.mark.parametrize(("url", "fields", "file_field", "files"), STREAMED)
def test_admin_refuses_unread_a_body_announced_too_large(
    teacher_browser, words, small_limits, url, fields, file_field, files
):
    before = repo.word_get("3")
    body = Body(fields, file_field, "big.csv", 50 * SMALL_LIMIT)
    response = post_streamed(teacher_browser, url, body, content_length=files * SMALL_LIMIT + FORM_OVERHEAD + 1)
    assert response.status_code == 413
    assert f"Files may be at most {SMALL_LIMIT} bytes." in response.content.decode()
    assert body.read_bytes == 0
    assert_nothing_stored(before)


@pytest.mark.parametrize(("url", "fields", "file_field", "files"), STREAMED)
@pytest.mark.parametrize("file_bytes", [SMALL_LIMIT + 1, 50 * SMALL_LIMIT], ids=["honest", "longer than announced"])
def test_admin_cuts_off_a_file_passing_the_limit(
    teacher_browser, words, small_limits, url, fields, file_field, files, file_bytes
):
    before = repo.word_get("3")
    body = Body(fields, file_field, "big.csv", file_bytes)
    announced = min(body.size, SMALL_LIMIT + FORM_OVERHEAD)  # within what the Content-Length check lets by
    response = post_streamed(teacher_browser, url, body, content_length=announced)
    assert response.status_code == 413
    assert f"Files may be at most {SMALL_LIMIT} bytes." in response.content.decode()
    assert body.read_bytes <= announced
    assert_nothing_stored(before)


@pytest.mark.parametrize(("url", "fields", "file_field", "files"), STREAMED)
def test_admin_reads_nothing_of_a_body_without_content_length(
    teacher_browser, words, small_limits, url, fields, file_field, files
):
    """WSGI gives a body without Content-Length as empty: the form comes back unfilled."""
    before = repo.word_get("3")
    body = Body(fields, file_field, "big.csv", 50 * SMALL_LIMIT)
    response = post_streamed(teacher_browser, url, body, content_length=None)
    assert response.status_code == 200
    assert body.read_bytes == 0
    assert_nothing_stored(before)


# --- import documents past a limit -----------------------------------------------------


def import_file(client, name: str, data: bytes):
    return client.post("/admin/vocabulary/words/import/", {"file": SimpleUploadedFile(name, data)})


def assert_import_refused(response, message: str) -> None:
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html and 'name="token"' not in html  # no preview to confirm
    assert word_count() == 5
    assert stored_keys() == []  # the file is not kept for a write


def test_deep_json_import_is_refused(teacher_browser, words):
    depth = 200_000
    deep = b'{"words": [' + b"[" * depth + b"]" * depth + b"]}"
    response = import_file(teacher_browser, "deep.json", deep)
    assert_import_refused(response, f"The document is nested more than {settings.IMPORT_MAX_DEPTH} levels deep.")


def test_deep_json_seed_document_is_refused(aws):
    depth = 200_000
    boto3.client("s3", region_name=settings.AWS_REGION).put_object(
        Bucket=settings.MEDIA_BUCKET, Key="seed/deep.json", Body=b"[" * depth + b"]" * depth
    )
    with pytest.raises(InvalidInput) as refused:
        seeding.seed_from_s3(bucket=settings.MEDIA_BUCKET, key="seed/deep.json")
    assert refused.value.details == {"max_depth": settings.IMPORT_MAX_DEPTH}
    assert word_count() == 0


def csv_file(rows: list[str]) -> bytes:
    return ("id,japanese,kana,romaji,english,part_of_speech,group_ids\n" + "".join(f"{row}\n" for row in rows)).encode()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("rows.csv", csv_file([f",猫{n},,,cat,," for n in range(4)])),
        ("rows.json", json.dumps({"words": [{"japanese": f"猫{n}", "english": "cat"} for n in range(4)]}).encode()),
    ],
)
def test_an_import_with_too_many_rows_is_refused(teacher_browser, words, settings, name, data):
    settings.IMPORT_MAX_ROWS = 3
    assert_import_refused(import_file(teacher_browser, name, data), "The document has more than 3 rows: split it.")


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("long.csv", csv_file([",猫,,,cat,,", f",犬,,,{'a' * 1001},,"]), "A field on line 3 is longer than 1000"),
        ("huge.csv", csv_file([f",犬,,,{'a' * 200_000},,"]), "A field on line 2 is longer than 1000"),
        (
            "long.json",
            json.dumps({"words": [{"japanese": "猫", "english": "a" * 1001}]}).encode(),
            "A string in the document is longer than 1000",
        ),
    ],
)
def test_an_import_with_a_field_too_long_is_refused(teacher_browser, words, name, data, message):
    assert_import_refused(import_file(teacher_browser, name, data), message)


# === AI hints =======================================================================


DEADLINE = 1.0
MARGIN = 0.5  # past the deadline: the cache read and write, the offline hint


@pytest.fixture
def bedrock_first(settings, bedrock_runtime):
    settings.AI_HINT_PROVIDERS = ["bedrock", "offline"]
    return bedrock_runtime


@pytest.fixture
def bedrock_hanging(settings, bedrock_first):
    """A model that never answers, with a short deadline. Only these tests get the short
    one: an answering model on a loaded machine can take longer than it."""
    settings.AI_HINT_DEADLINE_SECONDS = DEADLINE
    bedrock_first.hanging = True
    return bedrock_first


@pytest.fixture
def starter_vocabulary(aws):
    """The vocabulary the local stack is seeded with."""
    document = document_parse(starter_document())
    services.vocabulary_import(groups=document.groups, words=document.words)


def ask(api, word: str, context: str):
    return api.post("/api/ai/generate_hint", {"word": word, "context": context}, format="json")


def cached_hints() -> list[tuple[str, str]]:
    return sorted((item.provider, item.hint) for item in HintCacheModel.scan())


def test_a_hanging_model_answers_offline_within_the_deadline_and_caches_nothing_of_it(
    bedrock_hanging, words, student_api
):
    student_api.get("/api/words")  # signs the student in
    started = time.monotonic()
    response = ask(student_api, "水", "Food")
    seconds = time.monotonic() - started
    assert response.status_code == 200
    assert response.json()["source"] == "offline"
    assert seconds < DEADLINE + MARGIN
    assert bedrock_hanging.asked() == 1
    assert cached_hints() == [("offline", response.json()["ai_hint"])]


def test_a_hanging_model_with_no_fallback_is_503_within_the_deadline(
    bedrock_hanging, words, student_api, settings, api_error
):
    settings.AI_HINT_PROVIDERS = ["bedrock"]
    student_api.get("/api/words")
    started = time.monotonic()
    response = ask(student_api, "水", "Food")
    seconds = time.monotonic() - started
    api_error(response, 503, "hints_unavailable")
    assert int(response["Retry-After"]) > 0
    assert seconds < DEADLINE + MARGIN
    assert cached_hints() == []


SCRIPTED = (
    '<script>fetch("/api/words")</script>A greeting said <b onclick="steal()">during</b> the day'
    "&lt;img src=x onerror=alert(1)&gt;, &amp;lt;script&amp;gt;alert(2)&amp;lt;/script&amp;gt;politely."
)


def test_markup_in_a_models_answer_reaches_no_one(bedrock_first, words, student_api):
    bedrock_first.text = SCRIPTED
    plain = "A greeting said during the day, politely."
    first = ask(student_api, "こんにちは", "Basic Greetings").json()
    again = ask(student_api, "こんにちは", "Basic Greetings").json()
    assert (first["ai_hint"], first["source"], again["ai_hint"], again["cached"]) == (plain, "bedrock", plain, True)
    assert cached_hints() == [("bedrock", plain)]


def test_an_answer_that_is_only_markup_goes_to_the_next_provider(bedrock_first, words, student_api):
    bedrock_first.text = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    body = ask(student_api, "こんにちは", "Basic Greetings").json()
    assert body["source"] == "offline" and "<" not in body["ai_hint"]
    assert [provider for provider, _ in cached_hints()] == ["offline"]


def test_a_corrected_meaning_is_in_the_next_hint(words, student_api, teacher_api):
    water = words["words"][2]
    assert "means “water”" in ask(student_api, "水", "Food").json()["ai_hint"]
    edited = teacher_api.patch(f"/api/words/{water.id}", {"english": "cold water"}, format="json")
    assert edited.status_code == 200
    after = ask(student_api, "水", "Food").json()
    assert after["cached"] is False
    assert "means “cold water”" in after["ai_hint"] and "means “water”" not in after["ai_hint"]
    assert services.word_get(word_id=water.id).english == "cold water"


def test_a_corrected_reading_is_in_the_next_hint(words, student_api, teacher_api):
    water = words["words"][2]
    ask(student_api, "水", "Food")
    teacher_api.patch(f"/api/words/{water.id}", {"kana": "すい"}, format="json")
    after = ask(student_api, "水", "Food").json()
    assert (after["cached"], after["romaji"]) == (False, "sui")
    assert after["ai_hint"].startswith("「水」 (すい, sui)")


def test_the_offline_hint_claims_no_lesson_the_word_is_not_in(starter_vocabulary, student_api):
    cat = services.word_find(japanese="猫")
    assert [group.name for group in services.groups_get(group_ids=list(cat.group_ids))] == ["Nature and Weather"]
    body = ask(student_api, "猫", "Basic Greetings").json()
    assert body["ai_hint"] == (
        "「猫」 (ねこ, neko) means “cat”. It is a noun: の links it to another noun. "
        "It is in the lesson “Nature and Weather”."
    )
    assert cached_hints() == [("offline", body["ai_hint"])]


def test_the_offline_hint_never_repeats_the_context_as_a_fact(starter_vocabulary, student_api):
    claim = "Lesson 1: this word means dog"
    for word in ("猫", "冷蔵庫"):  # a word of our vocabulary, and one only the dictionary knows
        assert claim not in ask(student_api, word, claim).json()["ai_hint"]


# === The deployment =================================================================


ROOT = Path(__file__).resolve().parents[1]
HOST = "api.example.com"
HSTS = "max-age=31536000; includeSubDomains"
THROUGH_THE_LOAD_BALANCER = {"HTTP_X_FORWARDED_PROTO": "https"}

TERRAFORM = [
    hcl2.load(path.open(), serialization_options=SerializationOptions(strip_string_quotes=True, with_comments=False))
    for path in sorted((ROOT / "terraform").glob("*.tf"))
]


def terraform(kind: str, type_: str) -> dict:
    """Every `kind` block ("resource", "data") of one type in terraform/*.tf, by name."""
    return {
        name: body
        for module in TERRAFORM
        for block in module.get(kind, [])
        for name, body in block.get(type_, {}).items()
    }


def terraform_variable(name: str) -> dict:
    return next(block[name] for module in TERRAFORM for block in module.get("variable", []) if name in block)


@pytest.fixture
def production(settings, monkeypatch):
    """The HTTPS settings langportal/settings.py makes of the instances' environment."""
    for name, value in {
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_SECURE_COOKIES": "true",
        "DJANGO_SSL_REDIRECT": "true",
        "DJANGO_HSTS_SECONDS": "31536000",
    }.items():
        monkeypatch.setenv(name, value)
    made = runpy.run_path(str(ROOT / "langportal" / "settings.py"))
    for name in [name for name in made if name.startswith("SECURE_")] + ["ALLOWED_HOSTS"]:
        setattr(settings, name, made[name])
    return settings


# --- HTTPS --------------------------------------------------------------------------


def test_a_request_through_the_https_listener_is_served_with_hsts(production, client):
    response = client.get("/api/schema/", HTTP_HOST=HOST, **THROUGH_THE_LOAD_BALANCER)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == HSTS


def test_plain_http_is_redirected_to_https_and_the_redirect_is_served(production, client):
    response = client.get("/api/schema/?lang=en", HTTP_HOST=HOST)
    assert response.status_code == 301
    assert response["Location"] == f"https://{HOST}/api/schema/?lang=en"
    assert "Strict-Transport-Security" not in response

    followed = client.get(response["Location"], HTTP_HOST=HOST, **THROUGH_THE_LOAD_BALANCER)
    assert followed.status_code == 200  # not another redirect: no loop
    assert followed["Strict-Transport-Security"] == HSTS


@pytest.mark.parametrize(
    "forged",
    [
        {"HTTP_X_FORWARDED_PROTO": "http"},
        {"HTTP_X_FORWARDED_PROTO": "HTTPS"},
        {"HTTP_X_FORWARDED_PROTO": "http, https"},
        {"HTTP_X_FORWARDED_SSL": "on"},
        {"HTTP_X_FORWARDED_SCHEME": "https"},
        {"HTTP_X_FORWARDED_PROTOCOL": "https"},
        {"HTTP_FORWARDED": "proto=https"},
        {"HTTP_FRONT_END_HTTPS": "on"},
        {"HTTP_X_URL_SCHEME": "https"},
        {"HTTP_X_FORWARDED_PORT": "443"},
    ],
)
def test_forged_proxy_headers_do_not_pass_plain_http_for_https(production, client, forged):
    response = client.get("/api/schema/", HTTP_HOST=HOST, **forged)
    assert response.status_code == 301
    assert response["Location"] == f"https://{HOST}/api/schema/"


def test_a_write_over_plain_http_is_redirected_and_not_performed(production, teacher_api, words):
    before = repo.word_get("1")
    response = teacher_api.patch("/api/words/1", {"english": "hi"}, format="json", HTTP_HOST=HOST)
    assert response.status_code == 301
    assert response["Location"] == f"https://{HOST}/api/words/1"
    assert repo.word_get("1") == before


def test_health_checks_over_plain_http_are_answered(production, client, aws):
    for path in ("/healthz", "/readyz"):
        response = client.get(path, HTTP_HOST=HOST)
        assert response.status_code == 200, path


@pytest.mark.parametrize("path", ["/healthz/", "/healthzz", "/api/healthz", "/healthz%0A", "/readyz%0A"])
def test_the_health_check_exemption_covers_nothing_else(production, client, path):
    response = client.get(path, HTTP_HOST=HOST)
    assert response.status_code == 301
    assert response["Location"].startswith(f"https://{HOST}/")


def test_a_redirect_never_leads_to_a_host_the_client_chose(production, client):
    response = client.get("/api/schema/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "Location" not in response


# --- the xAPI store ---------------------------------------------------------------------


def test_a_teacher_gives_no_tool_and_no_store_access_to_the_statements(teacher_browser, target, aws):
    made = teacher_browser.post("/admin/xapi/credentials/", {"name": "Mine", "scopes": ["all"]})
    fields = {"name": "Mine", "endpoint": target.url, "target_key": "k", "target_secret": "s", "version": "2.0.0"}
    forwarded = teacher_browser.post("/admin/xapi/forwarding/add/", fields)
    assert made.status_code == forwarded.status_code == 403
    assert credentials.credentials_list() == [] and forwarding.forwardings_list() == []


def test_a_credentials_secret_is_shown_once_and_a_revoked_one_is_refused_at_once(admin_browser):
    page = admin_browser.post("/admin/xapi/credentials/", {"name": "LMS", "scopes": ["all"]})
    secret = page.content.decode().split('<code id="credential-secret">')[1].split("<")[0]
    [made] = credentials.credentials_list()
    assert "no-store" in page["Cache-Control"] and secret not in made.secret_digest
    assert secret not in admin_browser.get("/admin/xapi/credentials/").content.decode()
    basic = "Basic " + base64.b64encode(f"{made.key}:{secret}".encode()).decode()
    statements = {"HTTP_AUTHORIZATION": basic, "HTTP_X_EXPERIENCE_API_VERSION": "2.0.0"}
    assert Client().get("/xapi/statements", **statements).status_code == 200
    admin_browser.post(f"/admin/xapi/credentials/{made.key}/revoke/")
    assert Client().get("/xapi/statements", **statements).status_code == 401


def test_a_forwarding_targets_secret_is_never_shown_back(admin_browser, make_rule, target):
    rule = make_rule(target_secret="the-targets-secret")
    again = admin_browser.post(
        "/admin/xapi/forwarding/add/",
        {"name": "", "endpoint": target.url, "target_key": "k", "target_secret": "another-secret", "version": "2.0.0"},
    )
    assert again.status_code == 400 and "another-secret" not in again.content.decode()
    assert rule.target_secret not in admin_browser.get("/admin/xapi/forwarding/").content.decode()


def test_statements_are_never_forwarded_in_clear_over_the_network(admin_browser, aws):
    fields = {"name": "S", "endpoint": "http://lrs.school.example/xapi", "target_key": "k", "target_secret": "s"}
    refused = admin_browser.post("/admin/xapi/forwarding/add/", {**fields, "version": "2.0.0"})
    assert refused.status_code == 400 and "must use https://" in refused.content.decode()
    assert forwarding.forwardings_list() == []


def test_a_target_that_never_answers_holds_the_forwarder_no_longer_than_its_timeout(make_rule, store, target, settings):
    settings.XAPI_FORWARDING_TIMEOUT_SECONDS = 0.3
    rule = make_rule()
    store(a_statement())
    target.delay = 5
    began = time.monotonic()
    assert forwarder.forwarding_run(seconds=60) == {"forwarded": 0, "failed": 1}
    assert time.monotonic() - began < 3
    assert "ReadTimeout" in forwarding_repo.forwarding_get(rule.rule_id).last_error


# --- the stack (terraform) ----------------------------------------------------------


def test_the_load_balancer_speaks_only_https_and_api_gateway_checks_its_certificate():
    listeners = terraform("resource", "aws_lb_listener")
    assert listeners and {listener["protocol"] for listener in listeners.values()} == {"HTTPS"}
    assert all(listener["ssl_policy"].startswith("ELBSecurityPolicy-TLS13-") for listener in listeners.values())
    integration = terraform("resource", "aws_apigatewayv2_integration")["alb"]
    assert integration["integration_uri"] == "${aws_lb_listener.https.arn}"
    assert integration["tls_config"][0]["server_name_to_verify"] == "${var.alb_server_name}"


def test_no_lambda_environment_holds_or_names_the_secret_key():
    functions = terraform("resource", "aws_lambda_function")
    locals_ = {
        name: value for module in TERRAFORM for block in module.get("locals", []) for name, value in block.items()
    }
    assert len(functions) == 4
    for function in functions.values():
        variables = function["environment"][0]["variables"]
        environment = locals_[variables.removeprefix("${local.").removesuffix("}")]
        assert not [name for name in environment if "SECRET" in name]
        assert not [value for value in environment.values() if "secret" in value.lower()]


@pytest.mark.parametrize("role", ["media_lambda", "streaks_lambda", "jobs_lambda"])
def test_no_lambda_role_can_read_the_secret_key(role):
    statements = terraform("data", "aws_iam_policy_document")[role]["statement"]
    actions = [action for statement in statements for action in statement["actions"]]
    assert not [action for action in actions if action.startswith(("ssm:", "secretsmanager:"))]
    assert not [statement for statement in statements if "secret_key" in str(statement["resources"])]
    for statement in statements:  # KMS only on S3's behalf: the media bucket's key
        if any(action.startswith("kms:") for action in statement["actions"]):
            assert statement["condition"][0]["values"] == ["${local.kms_via_s3}"]


def test_the_user_pool_offers_totp_and_runs_threat_protection():
    pool = terraform("resource", "aws_cognito_user_pool")["main"]
    assert pool["mfa_configuration"] in ("OPTIONAL", "ON")
    assert pool["software_token_mfa_configuration"][0]["enabled"] is True
    assert pool["user_pool_add_ons"][0]["advanced_security_mode"] == "${var.advanced_security_mode}"
    assert terraform_variable("advanced_security_mode")["default"] == "ENFORCED"


# === The xAPI store =================================================================

STATEMENT = {
    "actor": {"mbox": "mailto:someone@example.com"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
    "object": {"id": "http://example.com/activities/forged"},
}


@pytest.mark.parametrize("path", ["/api/study_sessions", "/xapi/statements"])
def test_json_nested_deeper_than_the_parser_goes_is_400(student_api, xapi, path):
    body = "[" * 50_000
    if path.startswith("/xapi"):
        answer = xapi.post("statements", body.encode())
    else:
        answer = student_api.generic("POST", path, body, content_type="application/json")
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] in ("parse_error", "invalid")


def test_a_student_cannot_write_a_statement_as_someone_else(make_xapi_user, xapi):
    student = make_xapi_user("aiko")
    assert student.post("statements", STATEMENT).status_code == 403
    assert (
        student.put("statements", STATEMENT, {"statementId": "0c4d1e52-0000-4000-8000-00000000f00d"}).status_code == 403
    )
    assert xapi.get("statements").json()["statements"] == []


def test_a_more_link_cannot_be_forged_or_used_by_another_credential(make_xapi_client, xapi):
    for _ in range(3):
        xapi.post("statements", STATEMENT)
    more = xapi.get("statements", {"limit": 1}).json()["more"]
    token = more.split("more=", 1)[1]
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert xapi.get("statements", {"more": forged}).status_code == 400
    other = make_xapi_client("statements/read/mine", name="another tool")
    assert other.client.get(more, **other._headers({})).status_code == 403


def test_the_credentials_table_holds_no_secret(aws):
    made = credentials.credential_create(name="tool", scopes=["all"], created_by="tests")
    stored = [item.attribute_values for item in CredentialModel.scan()]
    assert stored and made.secret not in json.dumps(stored, default=str)


def test_a_body_past_the_limit_is_413_and_stores_nothing(xapi, settings):
    settings.XAPI_MAX_BYTES = 2_000
    answer = xapi.post("statements", [STATEMENT] * 30)
    assert answer.status_code == 413
    settings.XAPI_MAX_BYTES = 10_000_000
    assert xapi.get("statements").json()["statements"] == []
