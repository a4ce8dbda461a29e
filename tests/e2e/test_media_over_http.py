"""Word media through gunicorn and the emulator's S3: upload, fetch, processed details."""

import pytest
import requests

from vocabulary.tests import samples

from .conftest import Api, app_server, free_port

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def upload(
    api: Api, data: bytes, word_id: str = "3", name: str = "file", content_type: str = "application/octet-stream"
):
    return api.post("/api/words/upload", data={"word_id": word_id}, files={"file": (name, data, content_type)})


def bucket_keys(stack) -> set[str]:
    s3 = stack.client("s3")
    bucket = stack.settings().get("MEDIA_BUCKET", "langportal-media")
    return {item["Key"] for item in s3.list_objects_v2(Bucket=bucket, Prefix="words/").get("Contents", [])}


def test_audio_round_trip(stack, teacher, student):
    data = samples.wav(seconds=2)
    response = upload(teacher, data, name="mizu.wav", content_type="audio/wav")
    assert response.status_code == 201
    body = response.json()
    assert (body["success"], body["kind"], body["size"]) == (True, "audio", len(data))
    fetched = requests.get(body["file_url"], timeout=10)
    assert fetched.status_code == 200
    assert fetched.content == data
    word = student.get("/api/words/3").json()
    assert word["audio"]["duration_seconds"] == 2.0
    assert word["media_url"].split("?")[0] == word["audio"]["url"].split("?")[0]
    key = body["file_url"].split("/langportal-media/", 1)[1].split("?", 1)[0]
    assert key in bucket_keys(stack)


def test_image_round_trip_with_thumbnail(teacher, student):
    data = samples.image("PNG", (512, 512))
    body = upload(teacher, data, word_id="4", name="sushi.png", content_type="image/png").json()
    assert requests.get(body["file_url"], timeout=10).content == data
    image = student.get("/api/words/4").json()["image"]
    assert (image["width"], image["height"]) == (512, 512)
    thumbnail = requests.get(image["thumbnail_url"], timeout=10)
    assert thumbnail.status_code == 200
    assert thumbnail.content[:4] == b"RIFF" and thumbnail.content[8:12] == b"WEBP"


def test_replacing_removes_the_old_object(stack, teacher):
    first = upload(teacher, samples.wav(), word_id="5").json()["file_url"]
    upload(teacher, samples.mp3(), word_id="5")
    old_key = first.split("/langportal-media/", 1)[1].split("?", 1)[0]
    assert old_key not in bucket_keys(stack)


@pytest.mark.parametrize(
    ("data", "content_type", "word_id", "status"),
    [
        (b"plain text", "text/plain", "6", 415),
        (samples.image("PNG"), "audio/mpeg", "6", 415),
        (b"", "audio/wav", "6", 400),
        (samples.wav(), "audio/wav", "999999", 404),
    ],
)
def test_rejections(stack, teacher, data, content_type, word_id, status):
    before = bucket_keys(stack)
    response = upload(teacher, data, word_id=word_id, content_type=content_type)
    assert response.status_code == status
    assert set(response.json()["error"]) == {"code", "message", "details"}
    assert bucket_keys(stack) == before


def test_missing_file_is_400(teacher):
    response = teacher.post("/api/words/upload", data={"word_id": "6"}, files={"other": ("x", b"x")})
    assert (response.status_code, "file" in response.json()["error"]["details"]) == (400, True)


def test_a_file_over_ten_mebibytes_is_413(stack, teacher):
    before = bucket_keys(stack)
    response = upload(teacher, samples.wav(seconds=700), word_id="6")  # 11.2 MB of audio
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert bucket_keys(stack) == before


def test_students_cannot_upload(student):
    assert upload(student, samples.wav()).status_code == 403


@pytest.fixture(scope="module")
def s3_cut_off(stack):
    """An app server whose S3 is unreachable; DynamoDB and Cognito still answer."""
    unreachable = {"AWS_ENDPOINT_URL_S3": f"http://127.0.0.1:{free_port()}", "AWS_MAX_ATTEMPTS": "1"}
    with app_server(stack, **unreachable) as (url, _):
        yield url


def test_s3_outage_is_503_and_the_word_is_unchanged(s3_cut_off, teacher_tokens, student):
    before = student.get("/api/words/7").json()
    response = upload(Api(s3_cut_off, teacher_tokens["id_token"], retries=0), samples.wav(), word_id="7")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service_unavailable"
    assert response.headers["Retry-After"]
    assert student.get("/api/words/7").json() == before
