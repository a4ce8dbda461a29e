"""The admin's listings past one page: choices hold every group, lists are paged, never cut."""

import csv
import io
import re

import pytest

from vocabulary import services

GROUPS = 105  # past services' PER_PAGE_MAX of 100
WORDS = 110


@pytest.fixture
def many_groups(aws) -> list[str]:
    """GROUPS groups, "Group 000" on, and a word in the last one; their ids in name order."""
    groups = [{"id": str(number), "name": f"Group {number - 1:03d}"} for number in range(1, GROUPS + 1)]
    word = {"id": "1", "japanese": "水", "kana": "みず", "romaji": "mizu", "english": "water", "group_ids": ["105"]}
    services.vocabulary_import(groups=groups, words=[word])
    return [group["id"] for group in groups]


@pytest.fixture
def big_group(aws) -> str:
    """One group of WORDS words, 語000 (“word 000”) on, in that Japanese order; its id."""
    words = [
        {
            "id": str(number + 1),
            "japanese": f"語{number:03d}",
            "kana": "ご",
            "romaji": "go",
            "english": f"word {number:03d}",
            "group_ids": ["1"],
        }
        for number in range(WORDS)
    ]
    services.vocabulary_import(groups=[{"id": "1", "name": "Big"}], words=words)
    return "1"


def html_of(client, url: str, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def english_shown(html: str) -> list[str]:
    return re.findall(r"<td[^>]*>(word \d{3})</td>", html)


def test_the_word_form_offers_every_group(teacher_browser, many_groups):
    html = html_of(teacher_browser, "/admin/vocabulary/words/add/")
    assert re.findall(r'name="group_ids" value="(\d+)"', html) == many_groups
    assert "Group 104" in html


def test_a_word_in_the_last_group_shows_it_ticked(teacher_browser, many_groups):
    html = html_of(teacher_browser, "/admin/vocabulary/words/1/change/")
    assert re.findall(r'name="group_ids" value="(\d+)"[^>]*checked', html) == [many_groups[-1]]


def test_the_word_list_filters_by_every_group(teacher_browser, many_groups):
    html = html_of(teacher_browser, "/admin/vocabulary/words/")
    assert re.findall(r'href="\?group=(\d+)&amp;o=created_at">Group \d{3} \(\d+\)', html) == many_groups
    assert "Group 104 (1)" in html
    assert '<td class="field-groups">Group 104</td>' in html  # the word's group, named


def test_the_groups_list_pages(teacher_browser, many_groups):
    first = html_of(teacher_browser, "/admin/vocabulary/groups/")
    last = html_of(teacher_browser, "/admin/vocabulary/groups/", p=3)
    assert re.findall(r">Group (\d{3})</a>", first) == [f"{number:03d}" for number in range(50)]
    assert re.findall(r">Group (\d{3})</a>", last) == [f"{number:03d}" for number in range(100, GROUPS)]
    assert f"{GROUPS} groups" in first and '<span class="this-page">3</span>' in last
    assert '<a href="?p=2">2</a>' in last


def test_a_groups_words_are_paged(teacher_browser, big_group):
    url = f"/admin/vocabulary/groups/{big_group}/change/"
    first, third = html_of(teacher_browser, url), html_of(teacher_browser, url, p=3)
    assert english_shown(first) == [f"word {number:03d}" for number in range(50)]
    assert english_shown(third) == [f"word {number:03d}" for number in range(100, WORDS)]
    assert f"{WORDS} words in this group" in first and f"{WORDS} words" in third.split('class="paginator"')[1]
    assert '<span class="this-page">1</span>' in first and '<a href="?p=3">3</a>' in first


def test_removing_a_word_goes_back_to_its_page(teacher_browser, big_group):
    url = f"/admin/vocabulary/groups/{big_group}/change/"
    response = teacher_browser.post(f"{url}?p=2", {"action": "remove", "word_id": "51"})
    assert response.status_code == 302 and response["Location"] == f"{url}?p=2"
    second = html_of(teacher_browser, url, p=2)
    assert english_shown(second)[0] == "word 051"  # word 050 left; the next ones move up
    assert f"{WORDS - 1} words in this group" in second
    assert services.group_get(group_id=big_group).word_count == WORDS - 1


def test_a_group_page_past_the_last_goes_to_the_first(teacher_browser, big_group):
    url = f"/admin/vocabulary/groups/{big_group}/change/"
    response = teacher_browser.get(url, {"p": 4})
    assert response.status_code == 302 and response["Location"] == url


@pytest.mark.parametrize("number", ["0", "two", "-1", "1e3"])
def test_a_page_that_is_no_number_is_400(teacher_browser, big_group, number):
    response = teacher_browser.get(f"/admin/vocabulary/groups/{big_group}/change/", {"p": number})
    assert response.status_code == 400
    assert "The page must be a positive whole number." in response.content.decode()


def test_the_word_lists_page_links_keep_its_filter_and_order(teacher_browser, big_group):
    html = html_of(teacher_browser, "/admin/vocabulary/words/", group=big_group, o="-english", p=2)
    assert english_shown(html) == [f"word {number:03d}" for number in range(59, 9, -1)]
    assert f'<a href="?group={big_group}&amp;o=-english&amp;p=3">3</a>' in html


def test_the_export_holds_every_word_of_the_group(admin_export, big_group):
    rows = list(csv.DictReader(io.StringIO(admin_export("csv", group=big_group).decode())))
    assert sorted(row["english"] for row in rows) == [f"word {number:03d}" for number in range(WORDS)]


def test_a_search_past_what_it_shows_says_so(teacher_browser, big_group):
    html = html_of(teacher_browser, "/admin/vocabulary/words/", q="word")
    assert len(english_shown(html)) == 100
    assert "More than 100 matches: the first 100 are shown; narrow the search" in html
    narrow = html_of(teacher_browser, "/admin/vocabulary/words/", q="word 10")
    assert english_shown(narrow) == [f"word {number}" for number in range(100, WORDS)]
    assert "10 matches" in narrow and "More than" not in narrow


def history_rows(html: str) -> list[str]:
    table = html.split('id="history"', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr><td>[^<]*</td><td>[^<]*</td><td>(\w+)</td>\s*<td>[^<]*</td><td>([^<]*)</td>", table)


def test_a_words_history_past_one_page_links_to_the_older_changes(teacher_browser, words):
    word = services.word_find(japanese="学校")
    for number in range(51):
        services.word_update(word_id=word.id, english=f"school {number:02d}", actor="sensei")
    url = f"/admin/vocabulary/words/{word.id}/change/"
    first = teacher_browser.get(url).content.decode()
    assert len(history_rows(first)) == 50 and history_rows(first)[0] == ("update", "学校 · gakkou · school 50")
    older = re.search(r'href="([^"]+)" id="history-older"', first)[1].replace("&amp;", "&")
    second = teacher_browser.get(f"{url}{older.split('#')[0]}").content.decode()
    assert history_rows(second) == [("update", "学校 · gakkou · school 00")]  # the 51st change
    assert 'id="history-older"' not in second
    assert 'id="history-newest"' in second and 'id="history-newest"' not in first
    assert teacher_browser.get(f"{url}?history_before=nope").status_code == 400
