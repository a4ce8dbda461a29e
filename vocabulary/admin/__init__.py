"""The vocabulary in the Django admin: words, groups, media, import and export.

The data lives in DynamoDB, not in Django's models, so these are admin views added to
the site (langportal.admin_site) with its look, sign-in, CSRF and staff checks. Every
change goes through the same services and checks as the API. One module per concern:
words (with their media), groups, imports; what they share is in common.
"""

from __future__ import annotations

from django.urls import path

from vocabulary.admin.groups import group_change, group_delete, groups_list
from vocabulary.admin.imports import words_import, words_import_uploaded
from vocabulary.admin.words import romaji_suggestion, word_add, word_change, word_delete, words_export, words_list


def urls(site) -> list:
    return [
        path("vocabulary/words/", site.admin_view(words_list), name="vocabulary_words"),
        path("vocabulary/words/add/", site.admin_view(word_add), name="vocabulary_word_add"),
        path("vocabulary/words/export/", site.admin_view(words_export), name="vocabulary_words_export"),
        path("vocabulary/words/import/", site.admin_view(words_import), name="vocabulary_import"),
        path(
            "vocabulary/words/import/uploaded/",
            site.admin_view(words_import_uploaded),
            name="vocabulary_import_uploaded",
        ),
        path("vocabulary/words/romaji/", site.admin_view(romaji_suggestion), name="vocabulary_romaji"),
        path("vocabulary/words/<str:word_id>/change/", site.admin_view(word_change), name="vocabulary_word_change"),
        path("vocabulary/words/<str:word_id>/delete/", site.admin_view(word_delete), name="vocabulary_word_delete"),
        path("vocabulary/groups/", site.admin_view(groups_list), name="vocabulary_groups"),
        path("vocabulary/groups/<str:group_id>/change/", site.admin_view(group_change), name="vocabulary_group_change"),
        path("vocabulary/groups/<str:group_id>/delete/", site.admin_view(group_delete), name="vocabulary_group_delete"),
    ]
