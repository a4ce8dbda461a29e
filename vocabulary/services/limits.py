"""The limits of the vocabulary's fields, shared by the API's serializers, the admin's
forms and imports: one number, one place."""

JAPANESE_MAX_LENGTH = 100
ENGLISH_MAX_LENGTH = 200
KANA_MAX_LENGTH = 200
ROMAJI_MAX_LENGTH = 200
GROUP_NAME_MAX_LENGTH = 100
# One word in at most this many groups keeps every write within one DynamoDB
# transaction (100 items): see docs/data-model.md.
MAX_GROUPS_PER_WORD = 6
MEMBERSHIP_BATCH = 8  # words per transaction when groups gain or lose words
