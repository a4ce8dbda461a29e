"""Import jobs (vocabulary.jobs.imports): a file read back from S3 row by row, each row imported
by the one import rule, exactly once however often the job is cut and run again."""

import json
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from langportal.jobs import services as jobs
from vocabulary import services
from vocabulary.jobs import imports as word_imports


def start(content: str | bytes, name: str = "words.csv"):
    data = content.encode() if isinstance(content, str) else content
    key = word_imports.import_file_store(name=name, file=ContentFile(data))
    return word_imports.import_job_start(name=name, key=key, actor="sensei", actor_id="sensei-sub")


def run(job, **when):
    """Run the job to its end (or its death): saves come every 100 rows, never by time."""
    return jobs.job_run(job.id, seconds=600, clock=lambda: 0.0, **when)


def csv_of(count: int) -> str:
    return "japanese,english\n" + "".join(f"語{number},word {number}\n" for number in range(count))


class Killed(BaseException):
    """The worker died (as a Lambda whose time ran out, or a killed process)."""


@pytest.fixture
def kill_after(monkeypatch):
    """Kill the job's run right after the write of its nth row, before the run saves it."""

    def arm(number: int):
        calls = {"rows": 0}
        real = word_imports.import_entry

        def entry(**arguments):
            outcome = real(**arguments)
            calls["rows"] += 1
            if calls["rows"] == number:
                monkeypatch.setattr(word_imports, "import_entry", real)
                raise Killed()
            return outcome

        monkeypatch.setattr(word_imports, "import_entry", entry)

    return arm


def test_a_job_killed_in_the_middle_of_1000_rows_makes_exactly_1000_words_audited_once(aws, kill_after):
    job = start(csv_of(1000))
    kill_after(537)  # between two saves of progress: rows 501 to 537 are written but not saved
    with pytest.raises(Killed):
        run(job)
    cut = jobs.job_get(job_id=job.id)
    assert (cut.status, cut.done, cut.total) == ("running", 500, 1000)
    assert services.words_total() == 537
    run(job, now=lambda: cut.lease_until + timedelta(seconds=1))  # the dead run's lease has run out
    finished = jobs.job_get(job_id=job.id)
    assert (finished.status, finished.done, finished.counts) == ("done", 1000, {"words created": 1000})
    assert services.words_total() == 1000
    words = services.words_list(page=1, per_page=1000, sort_by="created_at", descending=False).items
    assert sorted(word.english for word in words) == sorted(f"word {number}" for number in range(1000))
    histories = [services.word_history(word_id=word.id) for word in words]
    assert {tuple((event.actor, event.action) for event in history) for history in histories} == {
        (("sensei", "create"),)
    }


def test_a_json_document_imports_its_groups_then_words_and_reports_the_rows_it_left_out(aws):
    document = {
        "groups": [{"id": "40", "name": "Animals"}, {"name": ""}],
        "words": [
            {"japanese": "猫", "english": "cat", "group_ids": ["40"]},
            {"id": "90", "japanese": "犬", "english": "dog", "group_ids": ["40"]},
            {"japanese": "鳥", "english": "bird", "group_ids": ["41"]},
            {"japanese": "猫", "english": "cat"},
            "not a word",
        ],
    }
    finished = run(start(json.dumps(document, ensure_ascii=False), name="animals.json"))
    assert finished.status == "done"
    assert finished.counts == {"groups created": 1, "words created": 2, "rejected": 4}
    errors = {error.row: error.message for error in jobs.job_errors(job_id=finished.id)}
    assert sorted(errors) == [2, 5, 6, 7]
    assert errors[2].startswith("This group cannot be imported.") and "name:" in errors[2]
    assert errors[5] == "unknown group 41"
    assert errors[6] == "An earlier row of the file names this word already."
    assert json.loads(jobs.job_errors(job_id=finished.id).__next__().fields)["entry"] == {"name": ""}
    assert services.group_get(group_id="40").word_count == 2
    assert services.word_get(word_id="90").english == "dog"
    fresh = services.word_find(japanese="猫")
    assert int(fresh.id) > 90  # the file's ids were reserved before any fresh one was drawn


def test_importing_the_same_file_twice_changes_nothing_the_second_time(aws):
    content = "id,japanese,english\n7,水,water\n,火,fire\n"
    first = run(start(content))
    assert first.counts == {"words created": 2}
    histories = {word_id: services.word_history(word_id=word_id) for word_id in ("7",)}
    second = run(start(content))
    assert second.counts == {"words unchanged": 2}
    assert services.words_total() == 2
    assert services.word_history(word_id="7") == histories["7"]


def test_an_update_by_id_is_counted_and_audited_with_the_jobs_actor(words):
    word = services.word_find(japanese="学校")
    finished = run(start(f"id,japanese,english\n{word.id},学校,school (building)\n"))
    assert finished.counts == {"words updated": 1}
    assert services.word_get(word_id=word.id).english == "school (building)"
    latest = services.word_history(word_id=word.id)[0]
    assert (latest.actor, latest.action) == ("sensei", "update")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.json", "{not json", "The document is not JSON"),
        ("list.json", "[1, 2]", 'A vocabulary document is a JSON object with a "words" list.'),
        ("groups.json", '{"groups": {}, "words": []}', '"groups" must be a list.'),
        ("deep.json", '{"words": [' + "[" * 20 + "]" * 20 + "]}", "nested more than 10 levels"),
        ("latin1.csv", "japanese,english\nb\xe9b\xe9,baby\n".encode("latin-1"), "not UTF-8 text"),
    ],
)
def test_a_file_that_cannot_be_read_fails_the_job_before_any_row(aws, name, content, message):
    finished = run(start(content, name=name))
    assert finished.status == "failed" and message in finished.message
    assert (finished.done, services.words_total()) == (0, 0)


def test_a_file_with_more_rows_than_a_job_takes_fails_before_any_row(aws, settings):
    settings.IMPORT_JOB_MAX_ROWS = 3
    finished = run(start(csv_of(4)))
    assert finished.status == "failed" and "more than 3 rows" in finished.message
    assert services.words_total() == 0


def test_the_file_is_read_as_a_stream_and_deleted_once_imported(aws, monkeypatch):
    reads = []
    real = word_imports.object_stream

    def stream(key):
        body = real(key)
        original = body.read

        def read(amount=None):
            reads.append(amount)
            return original(amount)

        body.read = read
        return body

    monkeypatch.setattr(word_imports, "object_stream", stream)
    job = start(csv_of(150))
    finished = run(job)
    assert finished.counts == {"words created": 150}
    assert reads and None not in reads  # never read whole
    assert not default_storage.exists(job.input_key)
