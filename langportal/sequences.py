"""Server-assigned ids: "1", "2", ... from atomic counters in DynamoDB."""

from langportal.dynamo import dynamodb_errors
from langportal.errors import Conflict
from langportal.models import SequenceModel


def sequence_next(name: str) -> str:
    """The next id of sequence `name` (one atomic ADD; never handed out twice)."""
    counter = SequenceModel(name)
    with dynamodb_errors():
        counter.update(actions=[SequenceModel.value.add(1)])
    return str(int(counter.value))


def sequence_advance(name: str, *, past: int) -> None:
    """Make sure later ids are greater than `past` (after ids were given explicitly)."""
    try:
        with dynamodb_errors():
            SequenceModel(name).update(
                actions=[SequenceModel.value.set(past)],
                condition=SequenceModel.value.does_not_exist() | (SequenceModel.value < past),
            )
    except Conflict:
        pass  # already past it
