"""The attacks we know of through exports, uploads and imports, each tried as a test that
asserts the refusal and that nothing changed (docs/security.md maps each to its defence).

- CSV injection: words that a spreadsheet would run as formulas, in every exported column.
- Oversized computed fields: romaji computed from the Japanese past the stored limit.
- Decompression bombs: a PNG of a few hundred bytes that declares a huge image, through
  the API, the admin's word form and the media Lambda.
- Oversized uploads streamed to the admin's word form and import form: announced by
  Content-Length, sent without one, or larger than the Content-Length says.
- Import documents past a limit: deep JSON, too many rows, a field too long.
"""

from __future__ import annotations

import csv
import io
import json
import struct
import zlib

import boto3
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from langportal.api.uploads import FORM_OVERHEAD
from langportal.errors import InvalidInput
from vocabulary import lambdas, media, seeding, services
from vocabulary import repositories as repo

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
