"""scripts/s3_upload.py: a folder of media to S3, checked like the API, with a summary."""

import json

import pytest

from scripts import s3_upload
from vocabulary import repositories as repo
from vocabulary.tests import samples


@pytest.fixture
def folder(tmp_path, words):
    (tmp_path / "1.wav").write_bytes(samples.wav())
    (tmp_path / "2.png").write_bytes(samples.image("PNG"))
    (tmp_path / "3.txt").write_bytes(b"not media")
    (tmp_path / "hello.mp3").write_bytes(samples.mp3())
    (tmp_path / "99.wav").write_bytes(samples.wav())
    return tmp_path


def test_file_names_are_word_ids(folder, capsys):
    assert s3_upload.main([str(folder), "--quiet"]) == 1
    assert repo.word_get("1").audio_duration == 1.0
    assert repo.word_get("2").image_width == 640
    out, err = capsys.readouterr()
    assert "uploaded 2 of 5 files." in out
    assert "failed 3.txt: Upload audio or an image" in err
    assert "failed hello.mp3: the file name is not a word id (use --mapping)" in err
    assert "failed 99.wav: No word with id 99." in err


def test_a_mapping_names_the_words(folder, tmp_path_factory, capsys):
    mapping = tmp_path_factory.mktemp("map") / "map.json"
    mapping.write_text(json.dumps({"hello.mp3": "4", "1.wav": "5"}))
    assert s3_upload.main([str(folder), "--mapping", str(mapping), "--quiet"]) == 0
    assert repo.word_get("4").audio_format == "mp3"
    assert repo.word_get("5").audio_format == "wav"
    assert "uploaded 2 of 2 files." in capsys.readouterr().out


def test_a_csv_mapping(folder, tmp_path_factory):
    mapping = tmp_path_factory.mktemp("map") / "map.csv"
    mapping.write_text("file,word_id\n2.png,3\nmissing.png,1\n")
    assert s3_upload.main([str(folder), "--mapping", str(mapping), "--quiet"]) == 1
    assert repo.word_get("3").image_key is not None


def test_dry_run_checks_and_uploads_nothing(folder, capsys):
    assert s3_upload.main([str(folder), "--dry-run", "--quiet"]) == 1
    assert repo.word_get("1").audio_key is None
    out, err = capsys.readouterr()
    assert "would upload 2 of 5 files." in out
    assert "failed 3.txt" in err


def test_progress_bar(folder, capsys):
    s3_upload.main([str(folder)])
    assert "Uploading: 100%" in capsys.readouterr().err


def test_bad_arguments(tmp_path, words, capsys):
    assert s3_upload.main([str(tmp_path / "nope")]) == 2
    bad = tmp_path / "map.json"
    bad.write_text("[1, 2]")
    assert s3_upload.main([str(tmp_path), "--mapping", str(bad)]) == 2
    assert "cannot read the mapping" in capsys.readouterr().err
