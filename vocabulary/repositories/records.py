"""The vocabulary's records (Word, Group), their items in DynamoDB, and the races a write
can lose: the layer every other repository module builds on."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from langportal.errors import Contended, NotFound
from vocabulary.models import GroupModel, WordModel


@dataclass(frozen=True)
class Word:
    id: str
    japanese: str
    kana: str
    romaji: str
    english: str
    part_of_speech: str | None
    group_ids: frozenset[str]
    created_at: datetime
    updated_at: datetime
    audio_key: str | None = None
    audio_format: str | None = None
    audio_duration: float | None = None
    image_key: str | None = None
    image_width: int | None = None
    image_height: int | None = None
    thumbnail_key: str | None = None
    revision: int = 1


@dataclass(frozen=True)
class Group:
    id: str
    name: str
    created_at: datetime
    updated_at: datetime
    word_count: int = 0
    revision: int = 1


class WordChanged(Contended):
    """The word changed since it was read (or its new id was taken): read again, retry."""

    default_message = "The word was changed by someone else at the same time. Please retry."


class GroupChanged(Contended):
    """The group changed since it was read (or its new id was taken): read again, retry."""

    default_message = "The group was changed by someone else at the same time. Please retry."


class GroupNotFound(NotFound):
    code = "group_not_found"
    default_message = "No such group."


def replace_word(word: Word, **changes) -> Word:
    """A copy of `word` with `changes`, one revision later."""
    return replace(word, revision=word.revision + 1, **changes)


def word_from_item(item: WordModel) -> Word:
    return Word(
        id=item.id,
        japanese=item.japanese,
        kana=item.kana,
        romaji=item.romaji,
        english=item.english,
        part_of_speech=item.part_of_speech,
        group_ids=frozenset(item.group_ids or ()),
        created_at=item.created_at,
        updated_at=item.updated_at,
        audio_key=item.audio_key,
        audio_format=item.audio_format,
        audio_duration=float(item.audio_duration) if item.audio_duration is not None else None,
        image_key=item.image_key,
        image_width=int(item.image_width) if item.image_width is not None else None,
        image_height=int(item.image_height) if item.image_height is not None else None,
        thumbnail_key=item.thumbnail_key,
        revision=int(item.revision),
    )


def word_item(word: Word) -> WordModel:
    return WordModel(
        word.id,
        japanese=word.japanese,
        kana=word.kana,
        romaji=word.romaji,
        english=word.english,
        part_of_speech=word.part_of_speech,
        group_ids=set(word.group_ids) or None,
        created_at=word.created_at,
        updated_at=word.updated_at,
        audio_key=word.audio_key,
        audio_format=word.audio_format,
        audio_duration=word.audio_duration,
        image_key=word.image_key,
        image_width=word.image_width,
        image_height=word.image_height,
        thumbnail_key=word.thumbnail_key,
        revision=word.revision,
    )


def group_from_item(item: GroupModel) -> Group:
    return Group(
        id=item.id,
        name=item.name,
        created_at=item.created_at,
        updated_at=item.updated_at,
        word_count=int(item.word_count),
        revision=int(item.revision),
    )


def group_item(group: Group) -> GroupModel:
    return GroupModel(
        group.id,
        name=group.name,
        word_count=group.word_count,
        created_at=group.created_at,
        updated_at=group.updated_at,
        revision=group.revision,
    )
