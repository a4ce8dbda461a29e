"""Vocabulary documents: CSV cells safe in spreadsheets, JSON and CSV read within limits."""

import json

import pytest

from langportal.errors import InvalidInput
from langportal.spreadsheets import imported_text, spreadsheet_text
from vocabulary.documents import DocumentLimits, DocumentTooLarge, csv_rows, document_loads

LIMITS = DocumentLimits(max_bytes=10_000_000, max_rows=10, max_depth=5, max_field_chars=20)
HEADER = "id,japanese,kana,romaji,english,part_of_speech,group_ids\n"


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+81", "'+81"),
        ("-ish", "'-ish"),
        ("@home", "'@home"),
        ("\tcat", "'\tcat"),
        ("\rcat", "'\rcat"),
        ("'=quoted", "''=quoted"),  # so that it comes back with its own quote
    ],
)
def test_a_formula_cell_gets_a_quote_that_import_takes_off(value, cell):
    assert spreadsheet_text(value) == cell
    assert imported_text(cell) == value


@pytest.mark.parametrize("value", ["猫", "neko", "'tis", "1=1", "", "'"])
def test_other_cells_are_left_as_they_are(value):
    assert spreadsheet_text(value) == value
    assert imported_text(value) == value


def test_a_cell_a_spreadsheet_saved_without_the_quote_imports_as_it_is():
    assert imported_text("=1+1") == "=1+1"


def test_csv_rows_take_the_quote_off():
    rows = csv_rows((HEADER + "'=1,'=猫,,'-neko,'@home,,1;2\n").encode(), LIMITS)
    assert rows == [{"id": "=1", "japanese": "=猫", "romaji": "-neko", "english": "@home", "group_ids": ["1", "2"]}]


def test_deep_json_is_refused_without_parsing_it():
    depth = 1_000_000  # far past what json's recursive parser survives
    with pytest.raises(DocumentTooLarge) as refused:
        document_loads(b"[" * depth + b"]" * depth, LIMITS)
    assert refused.value.details == {"max_depth": 5}
    assert "nested more than 5 levels deep" in refused.value.message


def test_json_at_the_depth_limit_is_read():
    assert document_loads(b"[[[[[1]]]]]", LIMITS) == [[[[[1]]]]]


def test_brackets_inside_json_strings_do_not_count():
    text = json.dumps({"words": [{"english": '[[[{{{\\"'}]}).encode()
    assert document_loads(text, LIMITS) == {"words": [{"english": '[[[{{{\\"'}]}


def test_an_unterminated_json_string_is_not_json():
    with pytest.raises(InvalidInput, match="not JSON"):
        document_loads(b'{"words": ["\\"\\"\\"' + b"[" * 100, LIMITS)


def test_json_strings_are_measured_decoded():
    escaped = json.dumps({"words": ["猫" * 20]}).encode()  # \u732b: 120 characters of text
    assert document_loads(escaped, LIMITS) == {"words": ["猫" * 20]}
    with pytest.raises(DocumentTooLarge) as refused:
        document_loads(json.dumps({"words": [], "k" * 21: 1}).encode(), LIMITS)  # keys too
    assert refused.value.details == {"max_field_chars": 20}


def test_json_rows_are_words_and_groups_together():
    document = {"groups": [{}] * 5, "words": [{}] * 5}
    assert document_loads(json.dumps(document).encode(), LIMITS) == document
    with pytest.raises(DocumentTooLarge) as refused:
        document_loads(json.dumps({**document, "words": [{}] * 6}).encode(), LIMITS)
    assert refused.value.details == {"max_rows": 10}


@pytest.mark.parametrize("read", [csv_rows, document_loads])
def test_bytes_past_the_limit_are_refused(read):
    limits = DocumentLimits(max_bytes=100, max_rows=10, max_depth=5, max_field_chars=20)
    with pytest.raises(DocumentTooLarge) as refused:
        read(b" " * 101, limits)
    assert refused.value.details == {"max_bytes": 100}


def test_csv_rows_past_the_limit_are_refused():
    assert len(csv_rows((HEADER + ",猫,,,cat,,\n" * 10).encode(), LIMITS)) == 10
    with pytest.raises(DocumentTooLarge) as refused:
        csv_rows((HEADER + ",猫,,,cat,,\n" * 11).encode(), LIMITS)
    assert refused.value.details == {"max_rows": 10}


@pytest.mark.parametrize("length", [21, 200_000])  # ours, and past csv's own limit (131072)
def test_a_csv_field_past_the_limit_is_refused(length):
    with pytest.raises(DocumentTooLarge) as refused:
        csv_rows((HEADER + f',猫,,,"{"a" * length}",,\n').encode(), LIMITS)
    assert refused.value.message == "A field on line 2 is longer than 20 characters."
    assert refused.value.details == {"max_field_chars": 20}


def test_a_csv_that_is_not_utf8_is_invalid():
    with pytest.raises(InvalidInput, match="not UTF-8"):
        csv_rows(HEADER.encode() + b"\xff\xfe\n", LIMITS)
