"""Server-assigned ids: "1", "2", ... from atomic counters in DynamoDB."""

import contextlib

from langportal.errors import Conflict
from langportal.storage.dynamo import dynamodb_errors
from langportal.storage.models import SequenceModel
from langportal.storage.retry import retrying


def sequence_next(name: str) -> str:
    """The next id of sequence `name` (one atomic ADD; never handed out twice, though a
    resent ADD whose answer was lost skips one)."""
    counter = SequenceModel(name)

    def add() -> str:
        with dynamodb_errors():
            counter.update(actions=[SequenceModel.value.add(1)])
        return str(int(counter.value))

    return retrying(add)


def sequence_advance(name: str, *, past: int) -> None:
    """Make sure later ids are greater than `past` (after ids were given explicitly)."""

    def advance() -> None:
        with contextlib.suppress(Conflict), dynamodb_errors():  # a Conflict: already past it
            SequenceModel(name).update(
                actions=[SequenceModel.value.set(past)],
                condition=SequenceModel.value.does_not_exist() | (SequenceModel.value < past),
            )

    retrying(advance)
