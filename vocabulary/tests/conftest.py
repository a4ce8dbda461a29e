import pytest

from vocabulary import services


@pytest.fixture
def words(aws):
    """Five words in two groups, created through the services as a teacher would."""
    greetings = services.group_create(name="Greetings")
    food = services.group_create(name="Food")
    created = [
        services.word_create(japanese="こんにちは", english="hello", group_ids=[greetings.id]),
        services.word_create(japanese="ありがとう", english="thank you", group_ids=[greetings.id]),
        services.word_create(japanese="水", kana="みず", english="water", group_ids=[food.id]),
        services.word_create(japanese="寿司", kana="すし", english="sushi", group_ids=[food.id, greetings.id]),
        services.word_create(japanese="学校", english="school"),
    ]
    return {"greetings": greetings, "food": food, "words": created}
