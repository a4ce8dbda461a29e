"""Every change with an actor is audited, whichever door it came through."""

import io

from vocabulary import services

from . import samples


def test_an_api_upload_is_in_the_words_history_with_its_uploader(teacher_api, words):
    file = io.BytesIO(samples.wav())
    file.name = "hello.wav"
    response = teacher_api.post("/api/words/upload", {"word_id": "1", "file": file}, format="multipart")
    assert response.status_code == 201
    history = services.word_history(word_id="1")
    assert [(event.actor, event.action) for event in history] == [("teacher", "upload audio")]
    assert response.json()["file_url"].split("?")[0].endswith(history[0].after["audio_key"])
