"""Every race a vocabulary write can lose, run with the real services and repositories:
a read is made to answer a stale copy, as it would if another writer changed the record
between our read and our write; then what is stored afterwards is checked."""

from dataclasses import replace

import pytest

from langportal.errors import Contended
from vocabulary import repositories as repo
from vocabulary import services


@pytest.fixture
def stale_reads(monkeypatch):
    """stale_reads(name, copy, times=1): the repository read `name` ("word_get", "group_get",
    "words_get") answers `copy` (a record, or a list) the next `times` times, then the truth.
    Returns the count of stale answers left: set it to 0 to read the truth again."""

    def make(name: str, copy, times: int = 1):
        real = getattr(repo, name)
        left = [times]

        def read(*args, **kwargs):
            if left[0] > 0:
                left[0] -= 1
                return copy
            return real(*args, **kwargs)

        monkeypatch.setattr(repo, name, read)
        return left

    return make


def test_an_edit_made_on_an_old_revision_is_word_edited_and_changes_nothing(words):
    opened = repo.word_get("1")
    services.word_update(word_id="1", english="hi")
    with pytest.raises(services.WordEdited):
        services.word_update(word_id="1", revision=opened.revision, english="good afternoon")
    assert (repo.word_get("1").english, repo.word_get("1").revision) == ("hi", opened.revision + 1)


def test_a_word_changed_between_read_and_write_is_read_again_and_both_changes_kept(words, stale_reads):
    stale = repo.word_get("1")
    services.word_update(word_id="1", english="hi")
    left = stale_reads("word_get", stale)
    services.word_update(word_id="1", part_of_speech="expression")
    word = repo.word_get("1")
    assert left == [0]  # the stale copy was read, and lost its write
    assert (word.english, word.part_of_speech, word.revision) == ("hi", "expression", stale.revision + 2)


def test_a_word_that_keeps_changing_is_word_changed_and_keeps_the_other_writers_change(words, stale_reads):
    stale = repo.word_get("1")
    services.word_update(word_id="1", english="hi")
    left = stale_reads("word_get", stale, times=100)
    with pytest.raises(repo.WordChanged):
        services.word_update(word_id="1", part_of_speech="expression")
    left[0] = 0
    word = repo.word_get("1")
    assert (word.english, word.part_of_speech) == ("hi", None)


def test_a_deleted_word_changed_meanwhile_is_read_again_then_deleted(words, stale_reads):
    stale = repo.word_get("5")
    services.word_update(word_id="5", english="schools")
    stale_reads("word_get", stale)
    services.word_delete(word_id="5")
    assert repo.word_get("5") is None and services.words_total() == 4


def test_a_group_renamed_meanwhile_is_read_again_and_renamed(words, stale_reads):
    stale = repo.group_get("2")
    services.group_rename(group_id="2", name="Meals")
    left = stale_reads("group_get", stale)
    services.group_rename(group_id="2", name="Dishes")
    group = repo.group_get("2")
    assert left == [0] and (group.name, group.revision) == ("Dishes", stale.revision + 2)


def test_a_group_that_keeps_changing_is_group_changed_and_keeps_the_other_name(words, stale_reads):
    stale = repo.group_get("2")
    services.group_rename(group_id="2", name="Meals")
    left = stale_reads("group_get", stale, times=100)
    with pytest.raises(repo.GroupChanged):
        services.group_rename(group_id="2", name="Dishes", actor="sensei")
    left[0] = 0
    assert repo.group_get("2").name == "Meals" and services.group_history(group_id="2") == []


def test_membership_that_loses_its_race_is_tried_again_and_counts_right(words, stale_reads):
    stale = repo.words_get(["5"])
    services.word_update(word_id="5", english="schools")
    left = stale_reads("words_get", stale)
    services.group_add_words(group_id="2", word_ids=["5"])
    assert left == [0]
    assert repo.word_get("5").group_ids == {"2"} and repo.word_get("5").english == "schools"
    assert services.group_get(group_id="2").word_count == 3


def test_contended_membership_gives_up_with_503_and_changes_nothing(words, stale_reads):
    stale = [replace(word, revision=0) for word in repo.words_get(["5"])]  # a revision never stored
    left = stale_reads("words_get", stale, times=1000)
    with pytest.raises(Contended):
        services.group_add_words(group_id="2", word_ids=["5"])
    left[0] = 0
    assert repo.word_get("5").group_ids == frozenset() and services.group_get(group_id="2").word_count == 2


def test_a_word_joining_a_group_deleted_meanwhile_is_group_not_found(words, stale_reads):
    gone = services.group_create(name="Gone")
    services.group_delete(group_id=gone.id)
    left = stale_reads("group_get", gone, times=1000)  # every check still sees the group
    with pytest.raises(services.GroupNotFound):
        services.group_add_words(group_id=gone.id, word_ids=["5"])
    left[0] = 0
    assert repo.word_get("5").group_ids == frozenset() and repo.group_get(gone.id) is None


def test_a_new_word_whose_id_is_taken_meanwhile_is_contended_and_leaves_the_word(words):
    taken = repo.word_get("1")
    with pytest.raises(repo.WordChanged):
        services.word_create(word_id="1", japanese="猫", english="cat")
    assert repo.word_get("1") == taken and services.words_total() == 5


def test_a_new_group_whose_id_is_taken_meanwhile_is_contended_and_leaves_the_group(words):
    taken = repo.group_get("1")
    with pytest.raises(repo.GroupChanged):
        services.group_create(group_id="1", name="Animals")
    assert repo.group_get("1") == taken and services.groups_list(page=1, per_page=10).total == 2
