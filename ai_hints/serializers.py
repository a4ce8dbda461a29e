from rest_framework import serializers

from langportal.api.fields import StrictCharField
from vocabulary import japanese as ja

WORD_MAX_LENGTH = 64
CONTEXT_MAX_LENGTH = 200


def plain_text(value: str) -> str:
    if not value.isprintable():
        raise serializers.ValidationError("Must be plain text on one line, without control characters.")
    return value


class HintInput(serializers.Serializer):
    word = StrictCharField(max_length=WORD_MAX_LENGTH, help_text="A Japanese word or phrase.")
    context = StrictCharField(max_length=CONTEXT_MAX_LENGTH, help_text="Where the learner meets it, e.g. a lesson.")

    def validate_word(self, value: str) -> str:
        plain_text(value)
        if not ja.contains_japanese(value):
            raise serializers.ValidationError("Must contain Japanese script (kana or kanji).")
        return value

    def validate_context(self, value: str) -> str:
        return plain_text(value)


class HintOutput(serializers.Serializer):
    word = serializers.CharField()
    romaji = serializers.CharField()
    english = serializers.CharField(allow_null=True, help_text="null when no dictionary knows the word.")
    ai_hint = serializers.CharField()
    source = serializers.CharField(help_text="The provider that answered: bedrock, transformers or offline.")
    model = serializers.CharField()
    cached = serializers.BooleanField()


class RecommendationQuery(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=100, default=20)


class RecommendationOutput(serializers.Serializer):
    word_id = serializers.CharField(source="word.id")
    japanese = serializers.CharField(source="word.japanese")
    romaji = serializers.CharField(source="word.romaji")
    english = serializers.CharField(source="word.english")
    reason = serializers.ChoiceField(
        choices=["due", "new"], help_text="due: an FSRS card to review; new: not yet studied."
    )
    due = serializers.DateTimeField()
    retrievability = serializers.FloatField(allow_null=True, help_text="Chance of recalling it now (due cards).")


class RecommendationsOutput(serializers.Serializer):
    user_id = serializers.CharField()
    recommendations = RecommendationOutput(many=True)
