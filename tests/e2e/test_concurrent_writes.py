"""Teachers writing at the same time on DynamoDB as AWS behaves: every word lands, in every
index, counted once.

Writers racing on the same indexes retry on the server. A client told 503 retries after
Retry-After with the same Idempotency-Key, as the API asks: a write whose answer was lost
is then answered, not made again.
"""

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

WRITERS = 8
WORDS = 30


def test_parallel_creates_are_all_listed_once(teacher, student):
    group = teacher.post("/api/groups", json={"name": "Parallel"}).json()
    before = student.get("/api/words").json()["pagination"]["total_items"]
    run = uuid.uuid4().hex[:8]

    def create(number: int):
        body = {
            "japanese": f"語{number}",
            "kana": "ご",
            "english": f"parallel {number:02d}",
            "group_ids": [group["id"]],
        }
        return teacher.post("/api/words", json=body, headers={"Idempotency-Key": f"create-{run}-{number}"})

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        responses = list(pool.map(create, range(WORDS)))
    assert [response.status_code for response in responses] == [201] * WORDS
    created = {response.json()["id"] for response in responses}
    assert len(created) == WORDS
    assert student.get("/api/words").json()["pagination"]["total_items"] == before + WORDS
    assert student.get(f"/api/groups/{group['id']}").json()["word_count"] == WORDS
    for order in ("japanese", "romaji", "english", "created_at"):
        listed = student.get(f"/api/groups/{group['id']}/words?per_page=100&sort_by={order}").json()
        assert {item["id"] for item in listed["items"]} == created, order
        assert listed["pagination"]["total_items"] == WORDS
    by_english = student.get(f"/api/groups/{group['id']}/words?per_page=100&sort_by=english").json()["items"]
    assert [item["english"] for item in by_english] == [f"parallel {number:02d}" for number in range(WORDS)]
    for word_id in created:  # the stack is shared: other tests count the starter vocabulary
        assert teacher.delete(f"/api/words/{word_id}").status_code == 204
    assert teacher.delete(f"/api/groups/{group['id']}").status_code == 204
