"""POST /api/words/upload: audio and images to S3, recognised by their bytes, processed."""

import io
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from botocore.stub import Stubber
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from vocabulary import lambdas, media, services
from vocabulary import repositories as repo

from . import samples


def upload(api, data: bytes, name: str = "file.bin", content_type: str = "application/octet-stream", word_id="1"):
    file = io.BytesIO(data)
    file.name = name
    fields = {"file": file} if data is not None else {}
    if word_id is not None:
        fields["word_id"] = word_id
    file.content_type = content_type
    return api.post("/api/words/upload", fields, format="multipart")


def s3():
    return boto3.client("s3", region_name=settings.AWS_REGION)


def object_of(url: str) -> str:
    """A media URL without its query: presigned URLs differ from one second to the next."""
    return url.split("?", 1)[0]


def stored_keys() -> list[str]:
    return sorted(item["Key"] for item in s3().list_objects_v2(Bucket=settings.MEDIA_BUCKET).get("Contents", []))


def object_bytes(key: str) -> bytes:
    return s3().get_object(Bucket=settings.MEDIA_BUCKET, Key=key)["Body"].read()


def test_audio_upload_is_stored_and_processed(teacher_api, words):
    data = samples.wav(seconds=1.5)
    response = upload(teacher_api, data, "hello.wav", "audio/wav")
    assert response.status_code == 201
    body = response.json()
    assert body == {
        **body,
        "success": True,
        "word_id": "1",
        "kind": "audio",
        "content_type": "audio/wav",
        "size": len(data),
    }
    word = repo.word_get("1")
    assert word.audio_key.startswith("words/1/audio-") and word.audio_key.endswith(".wav")
    assert (word.audio_format, word.audio_duration) == ("wav", 1.5)
    assert object_bytes(word.audio_key) == data
    assert s3().head_object(Bucket=settings.MEDIA_BUCKET, Key=word.audio_key)["ContentType"] == "audio/wav"
    shown = teacher_api.get("/api/words/1").json()
    assert shown["audio"] == {**shown["audio"], "format": "wav", "duration_seconds": 1.5}
    assert object_of(shown["audio"]["url"]) == object_of(shown["media_url"]) == object_of(body["file_url"])
    assert object_of(body["file_url"]).endswith(word.audio_key)
    assert "X-Amz-Signature=" in body["file_url"]  # a private bucket: presigned


def test_mp3_upload_gets_its_duration(teacher_api, words):
    assert upload(teacher_api, samples.mp3(seconds=2), "a.mp3", "audio/mpeg").status_code == 201
    assert repo.word_get("1").audio_duration == pytest.approx(2, abs=0.05)


def test_image_upload_gets_its_size_and_a_thumbnail(teacher_api, words):
    response = upload(teacher_api, samples.image("JPEG", (640, 480)), "photo.jpg", "image/jpeg")
    assert response.json()["content_type"] == "image/jpeg"
    word = repo.word_get("1")
    assert (word.image_width, word.image_height) == (640, 480)
    thumbnail = Image.open(io.BytesIO(object_bytes(word.thumbnail_key)))
    assert (thumbnail.format, thumbnail.size) == ("WEBP", (256, 192))
    shown = teacher_api.get("/api/words/1").json()["image"]
    assert (shown["width"], shown["height"]) == (640, 480)
    assert shown["thumbnail_url"].split("?")[0].endswith(".webp")


@pytest.mark.parametrize(
    ("data", "content_type", "kind"),
    [
        (samples.image("PNG"), "image/png", "image"),
        (samples.image("WEBP"), "image/webp", "image"),
        (samples.ogg_header(), "audio/ogg", "audio"),
        (samples.m4a_header(), "audio/mp4", "audio"),
    ],
)
def test_every_accepted_format(teacher_api, words, data, content_type, kind):
    body = upload(teacher_api, data, "upload", content_type).json()
    assert (body["kind"], body["content_type"]) == (kind, content_type)


def test_the_type_comes_from_the_bytes_not_the_name(teacher_api, words):
    body = upload(teacher_api, samples.wav(), "picture.png", "application/octet-stream").json()
    assert (body["kind"], body["content_type"]) == ("audio", "audio/wav")
    assert repo.word_get("1").audio_key.endswith(".wav")


def test_a_new_upload_replaces_the_old_file(teacher_api, words):
    upload(teacher_api, samples.wav(), "one.wav")
    first = repo.word_get("1").audio_key
    upload(teacher_api, samples.mp3(), "two.mp3")
    second = repo.word_get("1").audio_key
    assert first != second
    assert first not in stored_keys()
    assert second in stored_keys()


def test_a_new_image_removes_the_old_image_and_thumbnail(teacher_api, words):
    upload(teacher_api, samples.image("PNG"), "a.png")
    old = repo.word_get("1")
    upload(teacher_api, samples.image("WEBP"), "b.webp")
    keys = stored_keys()
    assert old.image_key not in keys and old.thumbnail_key not in keys
    assert repo.word_get("1").image_key in keys


def test_audio_and_image_live_side_by_side(teacher_api, words):
    upload(teacher_api, samples.wav(), "a.wav")
    upload(teacher_api, samples.image("PNG"), "a.png")
    word = teacher_api.get("/api/words/1").json()
    assert word["audio"] and word["image"]
    assert object_of(word["media_url"]) == object_of(word["audio_url"])


@pytest.mark.parametrize(
    ("data", "content_type", "status", "code"),
    [
        (b"just some text", "text/plain", 415, "unsupported_media_type"),
        (b"%PDF-1.4 a document", "application/pdf", 415, "unsupported_media_type"),
        (samples.image("PNG"), "audio/mpeg", 415, "media_type_mismatch"),
        (samples.wav(), "image/png", 415, "media_type_mismatch"),
        (samples.image("PNG")[:40] + b"\0" * 200, "image/png", 415, "unsupported_media_type"),
        (b"", "audio/wav", 400, "empty_file"),
    ],
)
def test_rejected_files_store_nothing(teacher_api, words, data, content_type, status, code, api_error):
    api_error(upload(teacher_api, data, "x", content_type), status, code)
    assert stored_keys() == []
    assert repo.word_get("1").audio_key is None and repo.word_get("1").image_key is None


def test_missing_fields_are_400(teacher_api, words, api_error):
    assert "file" in api_error(upload(teacher_api, None), 400, "invalid")["details"]
    assert "word_id" in api_error(upload(teacher_api, samples.wav(), word_id=None), 400, "invalid")["details"]


def test_unknown_word_is_404(teacher_api, words, api_error):
    api_error(upload(teacher_api, samples.wav(), word_id="999"), 404, "word_not_found")
    assert stored_keys() == []


def test_too_large_is_413_and_stores_nothing(teacher_api, words, settings, api_error):
    settings.MEDIA_MAX_UPLOAD_BYTES = 100_000
    error = api_error(upload(teacher_api, samples.wav(seconds=10)), 413, "payload_too_large")
    assert error["details"] == {"max_bytes": 100_000}
    assert stored_keys() == []


def test_an_image_with_more_pixels_than_the_limit_is_413_and_stores_nothing(teacher_api, words, settings, api_error):
    settings.MEDIA_MAX_IMAGE_PIXELS = 640 * 480 - 1
    error = api_error(upload(teacher_api, samples.image("PNG"), "a.png", "image/png"), 413, "image_too_large")
    assert error["message"] == "Images may have at most 307199 pixels; this one has 640×480."
    assert error["details"] == {"max_pixels": 307199, "width": 640, "height": 480}
    assert stored_keys() == []
    assert repo.word_get("1").image_key is None


def test_an_image_at_the_pixel_limit_is_taken(teacher_api, words, settings):
    settings.MEDIA_MAX_IMAGE_PIXELS = 640 * 480
    assert upload(teacher_api, samples.image("PNG"), "a.png", "image/png").status_code == 201


def test_pillow_guards_at_our_pixel_limit():
    assert Image.MAX_IMAGE_PIXELS == settings.MEDIA_MAX_IMAGE_PIXELS


@pytest.mark.parametrize(
    "pillows_limit",
    [
        pytest.param(10_000, id="past twice its limit"),
        pytest.param(30_000, id="past its limit, warnings as errors", marks=pytest.mark.filterwarnings("error")),
    ],
)
def test_pillows_own_refusal_is_ours(monkeypatch, pillows_limit):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", pillows_limit)
    with pytest.raises(media.TooManyPixels, match="this one has more"):
        media.image_check(io.BytesIO(samples.image("PNG", (200, 200))), max_pixels=10**12)


def test_students_cannot_upload(student_api, words, api_error):
    api_error(upload(student_api, samples.wav()), 403, "permission_denied")
    assert stored_keys() == []


def test_json_body_is_415(teacher_api, words, api_error):
    api_error(teacher_api.post("/api/words/upload", {"word_id": "1"}, format="json"), 415, "unsupported_media_type")


def test_s3_outage_is_503_and_the_word_is_unchanged(teacher_api, words, settings):
    client = default_storage.connection.meta.client
    with Stubber(client) as stub:
        stub.add_client_error("put_object", "SlowDown", http_status_code=503)
        response = upload(teacher_api, samples.wav())
        stub.assert_no_pending_responses()
    assert response.status_code == 503
    assert response["Retry-After"]
    assert repo.word_get("1").audio_key is None


def test_deleting_a_word_deletes_its_media(teacher_api, words):
    upload(teacher_api, samples.wav(), "a.wav")
    upload(teacher_api, samples.image("PNG"), "a.png")
    assert len(stored_keys()) == 3
    teacher_api.delete("/api/words/1")
    assert stored_keys() == []


def test_custom_domain_urls_are_plain(teacher_api, words, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            **settings.STORAGES["default"],
            "OPTIONS": {
                **settings.STORAGES["default"]["OPTIONS"],
                "custom_domain": "media.example.com",
                "querystring_auth": False,
            },
        },
    }
    key = upload(teacher_api, samples.wav()).json()["file_url"]
    assert key.startswith("https://media.example.com/words/1/audio-")
    assert "X-Amz" not in key


# --- the media Lambda ----------------------------------------------------------------


def event(key: str, bucket: str | None = None) -> dict:
    return {"Records": [{"s3": {"bucket": {"name": bucket or settings.MEDIA_BUCKET}, "object": {"key": key}}}]}


def test_lambda_processes_uploads_once(teacher_api, words, settings):
    settings.MEDIA_PROCESSING = "lambda"
    upload(teacher_api, samples.image("PNG", (300, 100)), "a.png")
    word = repo.word_get("1")
    assert word.image_width is None  # nothing processed until S3 calls the Lambda
    assert lambdas.process_media(event(word.image_key), None) == {word.image_key: "processed"}
    processed = repo.word_get("1")
    assert (processed.image_width, processed.image_height) == (300, 100)
    assert lambdas.process_media(event(word.image_key), None) == {word.image_key: "unchanged"}
    assert repo.word_get("1") == processed


def test_lambda_refuses_an_image_past_the_pixel_limit(teacher_api, words, settings):
    settings.MEDIA_PROCESSING = "lambda"
    upload(teacher_api, samples.image("PNG"), "a.png")
    key = repo.word_get("1").image_key
    settings.MEDIA_MAX_IMAGE_PIXELS = 1000  # lowered since the upload was checked
    assert lambdas.process_media(event(key), None) == {key: "refused"}
    word = repo.word_get("1")
    assert (word.image_key, word.image_width, word.thumbnail_key) == (None, None, None)
    assert stored_keys() == []


def test_lambda_ignores_objects_it_does_not_own(teacher_api, words):
    upload(teacher_api, samples.image("PNG"), "a.png")
    word = repo.word_get("1")
    assert lambdas.process_media(event(word.thumbnail_key), None) == {word.thumbnail_key: "ignored"}
    assert lambdas.process_media(event("seed/starter_words.json"), None) == {"seed/starter_words.json": "ignored"}
    assert lambdas.process_media(event(word.image_key, "another-bucket"), None) == {word.image_key: "ignored"}


def test_lambda_ignores_a_file_its_word_no_longer_uses(teacher_api, words, settings):
    settings.MEDIA_PROCESSING = "lambda"
    upload(teacher_api, samples.wav(), "a.wav")
    replaced = repo.word_get("1").audio_key
    upload(teacher_api, samples.mp3(), "b.mp3")
    assert lambdas.process_media(event(replaced), None) == {replaced: "ignored"}
    assert repo.word_get("1").audio_format is None


def test_lambda_called_before_the_word_is_written_fails_until_it_is(words, settings):
    """S3 may announce an upload before the upload has pointed its word at it: the
    Lambda then fails, so that AWS delivers the event again, and the next try works."""
    settings.MEDIA_PROCESSING = "lambda"
    key = media.new_key("1", media.ACCEPTED["png"])
    default_storage.save(key, ContentFile(samples.image("PNG", (300, 100))))  # the upload's first step
    with pytest.raises(services.MediaPending):
        lambdas.process_media(event(key), None)
    word = repo.word_get("1")
    repo.words_write([(word, repo.replace_word(word, image_key=key))])  # the upload's second step
    assert lambdas.process_media(event(key), None) == {key: "processed"}
    assert (repo.word_get("1").image_width, repo.word_get("1").image_height) == (300, 100)


def test_lambda_gives_up_on_an_upload_that_failed(words, settings):
    key = media.new_key("1", media.ACCEPTED["png"])
    assert services.media_process(key=key) == "ignored"  # never stored, or taken back
    default_storage.save(key, ContentFile(samples.image("PNG")))
    later = datetime.now(UTC) + timedelta(seconds=services.PENDING_SECONDS + 1)
    assert services.media_process(key=key, now=later) == "ignored"  # stored, never attached
    assert repo.word_get("1").image_key is None
