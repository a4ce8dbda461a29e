"""The strict middleware: each DynamoDB request checked as AWS would, then faults injected.

It runs inside the emulator's lock (one request at a time). That lets a stale read put
older items into moto's tables for the length of one request and put the current ones back
before anyone else can look.

AWS's validation and its ClientRequestToken idempotency are always on; every other
behaviour is a fault switched on by its own StrictConfig field. All randomness comes from
the seed, so a failing run can be replayed with the same seed and the same requests.
"""

from __future__ import annotations

import copy
import io
import json
import os
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from moto.backends import get_backend
from moto.iam.models import get_account_id_from

from langportal.local.strict.batches import batch_keys, batch_writes, with_unprocessed
from langportal.local.strict.config import Fault, StrictConfig, fault_streams
from langportal.local.strict.history import History, Image, RememberedTransaction, Write
from langportal.local.strict.protocol import (
    ARRIVED,
    BATCHES,
    DATA_PLANE,
    FAULTS_PATH,
    HOLDS_KEPT,
    INTERNAL_ERROR,
    MAX_ITEM_BYTES,
    SINGLE_WRITES,
    TARGET_PREFIX,
    THROTTLING,
    TOKEN_MISMATCH,
    TOKEN_SECONDS,
    UPDATE_TOO_LARGE,
    WRITES,
    Answer,
    Call,
    ItemId,
    action_key,
    complete_key,
    conflict_answer,
    error_answer,
    item_id,
    json_answer,
    request_actions,
    store_item,
    stored_item,
)
from langportal.local.strict.validation import (
    eventually_consistent_tables,
    item_size,
    validation_message,
    without_token,
)

CREDENTIAL_SCOPE = re.compile(r"Credential=(?P<access_key>[^/]+)/\d+/(?P<region>[^/]+)/")


def dynamodb_backend(environ: dict[str, Any]) -> Any:
    """moto's DynamoDB backend for the request's account and region, found as moto finds them."""
    match = CREDENTIAL_SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    access_key, region = (match["access_key"], match["region"]) if match else ("", "us-east-1")
    account = (
        os.environ.get("MOTO_ACCOUNT_ID") or environ.get("HTTP_X_MOTO_ACCOUNT_ID") or get_account_id_from(access_key)
    )
    return get_backend("dynamodb")[account][region]


def dynamodb_operation(environ: dict[str, Any]) -> str | None:
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    return target.removeprefix(TARGET_PREFIX) if target.startswith(TARGET_PREFIX) else None


class StrictDynamoDB:
    """WSGI middleware: moto's DynamoDB as strict as AWS (see the module's docstring).

    `config` may be replaced at any time; `faults` counts the faults injected, by kind;
    `reset()` forgets history and counts and starts the random draws again from the seed.
    `clock` (seconds) measures lag, contention and token lifetimes; tests may replace it.
    """

    def __init__(self, app: Callable, config: StrictConfig, *, clock: Callable[[], float] = time.monotonic):
        self.app = app
        self.clock = clock
        self._config = config
        self.reset()

    @property
    def config(self) -> StrictConfig:
        return self._config

    @config.setter
    def config(self, config: StrictConfig) -> None:
        if config.seed != self._config.seed:
            self._random = fault_streams(config.seed)
        self._config = config

    def configure(self, **changes: Any) -> None:
        """Change what the layer does from the next request on: `configure(lost=Fault(1.0))`."""
        self.config = replace(self.config, **changes)

    def reset(self) -> None:
        self.faults: Counter[str] = Counter()
        self._eligible: Counter[str] = Counter()  # requests each fault could have met
        self._random = fault_streams(self._config.seed)
        self._history = History()

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == FAULTS_PATH:
            answer = json_answer(dict(self.faults), headers=[("Content-Type", "application/json")])
        elif (operation := dynamodb_operation(environ)) is None:
            return self.app(environ, start_response)
        else:
            answer = self._answer(self._read(environ, operation))
        start_response(answer.status, answer.headers)
        return [answer.body]

    def _read(self, environ: dict[str, Any], operation: str) -> Call:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {}  # moto answers SerializationException; nothing here applies
        return Call(environ, operation, body if isinstance(body, dict) else {}, raw, dynamodb_backend(environ))

    def _answer(self, call: Call) -> Answer:
        """Each step either answers the request itself or lets it go on, in AWS's order."""
        now = self.clock()
        self._forget_old(now)
        answer = self._invalid(call) or self._replayed(call) or self._throttled(call) or self._conflicted(call)
        return self._lost(call, answer or self._applied(call, now))

    # -- faults

    def _fires(self, kind: str, operation: str) -> bool:
        fault: Fault = getattr(self.config, kind)
        if not fault.covers(operation) or (fault.limit is not None and self.faults[kind] >= fault.limit):
            return False
        self._eligible[kind] += 1
        return self._eligible[kind] > fault.after and self._random[kind].random() < fault.rate

    def _invalid(self, call: Call) -> Answer | None:
        message = validation_message(call)
        if message is None:
            return None
        self.faults["validation"] += 1
        return error_answer("ValidationException", message)

    def _replayed(self, call: Call) -> Answer | None:
        """AWS answers a TransactWriteItems whose token it saw succeed within ten minutes
        without applying it again, and refuses the token on any other request."""
        token = call.body.get("ClientRequestToken") if call.operation == "TransactWriteItems" else None
        remembered = self._history.tokens.get(token) if token else None
        if remembered is None:
            return None
        if remembered.request == without_token(call.body):
            self.faults["token_replay"] += 1
            return remembered.answer
        self.faults["token_mismatch"] += 1
        return error_answer("IdempotentParameterMismatchException", TOKEN_MISMATCH)

    def _throttled(self, call: Call) -> Answer | None:
        if call.operation not in DATA_PLANE or not self._fires("throttle", call.operation):
            return None
        self.faults["throttle"] += 1
        code = self._random["throttle"].choice(sorted(THROTTLING))
        return error_answer(code, THROTTLING[code])

    def _conflicted(self, call: Call) -> Answer | None:
        if call.operation not in SINGLE_WRITES | {"TransactWriteItems"}:
            return None
        ids = self._item_ids(call)
        if not ids:
            return None
        if self._fires("conflict", call.operation):
            kind, conflicting = "conflict", {self._random["conflict"].randrange(len(ids))}
        elif held := {position for position, item in enumerate(ids) if self._held(item, call)}:
            kind, conflicting = "contention", held
        else:
            return None
        self.faults[kind] += 1
        return conflict_answer(call.operation, len(ids), conflicting)

    def arrive(self, environ: dict[str, Any]) -> None:
        """Note when a request arrived, before it waits for the emulator's lock."""
        environ[ARRIVED] = self.clock()

    def _held(self, item: ItemId, call: Call) -> bool:
        """Whether a transaction held `item` when this request arrived. The emulator answers
        one request at a time; on AWS, the ones waiting would have run at the same time."""
        return self._history.holds.get(item, float("-inf")) > call.environ.get(ARRIVED, self.clock())

    def _applied(self, call: Call, now: float) -> Answer:
        """Forward to moto (maybe a part of a batch, maybe onto older items), then remember
        what changed."""
        call, unprocessed = self._partial(call)
        before = self._images_before(call)
        with self._stale_view(call):
            answer = self._forward(call)
        if not answer.ok:
            return answer
        if oversized := self._oversized_update(call, before):
            return oversized
        if unprocessed:
            answer = with_unprocessed(answer, call.operation, unprocessed)
        self._remember(call, before, answer, now)
        return answer

    def _lost(self, call: Call, answer: Answer) -> Answer:
        """A write done (or a remembered transaction answered again) whose answer the
        network loses: the client sees a 500 and resends."""
        if not answer.ok or call.operation not in WRITES or not self._fires("lost", call.operation):
            return answer
        self.faults["lost"] += 1
        return error_answer("InternalServerError", INTERNAL_ERROR, status="500 Internal Server Error")

    def _partial(self, call: Call) -> tuple[Call, dict[str, Any]]:
        """Keep a random non-empty part of a batch; the rest comes back as unprocessed."""
        if call.operation not in BATCHES:
            return call, {}
        requests = call.body.get("RequestItems", {})
        if call.operation == "BatchGetItem":
            entries = [(name, key) for name, request in requests.items() for key in request.get("Keys", [])]
        else:
            entries = [(name, entry) for name, table_entries in requests.items() for entry in table_entries]
        if len(entries) < 2 or not self._fires("partial", call.operation):
            return call, {}
        self.faults["partial"] += 1
        draws = self._random["partial"]
        kept = set(draws.sample(range(len(entries)), draws.randint(1, len(entries) - 1)))
        processed = [entry for position, entry in enumerate(entries) if position in kept]
        left = [entry for position, entry in enumerate(entries) if position not in kept]
        regroup = batch_keys if call.operation == "BatchGetItem" else batch_writes
        return call.with_body({**call.body, "RequestItems": regroup(requests, processed)}), regroup(requests, left)

    def _images_before(self, call: Call) -> list[Image]:
        """The items a write is about to change, as they are: for stale reads and for undoing
        an update that grew too large."""
        if not (self._keeps_history() or call.operation == "UpdateItem"):
            return []
        images = []
        for action in request_actions(call.operation, call.body):
            table = call.table(action.table)
            if action.writes and table is not None and complete_key(table, key := action_key(table, action)):
                images.append(Image(table, key, copy.deepcopy(stored_item(table, key))))
        return images

    def _keeps_history(self) -> bool:
        return self.config.lag_ms > 0 and self.config.stale.rate > 0

    @contextmanager
    def _stale_view(self, call: Call) -> Iterator[None]:
        """Show the read the items as they were before the writes of the last lag_ms: the oldest
        image of each item written since, put back for this one request."""
        tables = eventually_consistent_tables(call)
        oldest: dict[ItemId, Write] = {}
        for write in self._history.writes:
            if write.table in tables:
                oldest.setdefault(item_id(write.table, write.key), write)
        swapped: list[Image] = []
        if oldest and self._fires("stale", call.operation):
            self.faults["stale"] += 1
            for write in oldest.values():
                if (table := call.table(write.table)) is not None:
                    swapped.append(Image(table, write.key, stored_item(table, write.key)))
                    store_item(table, write.key, write.before)
        try:
            yield
        finally:
            for image in reversed(swapped):
                store_item(image.table, image.key, image.item)

    def _forward(self, call: Call) -> Answer:
        environ = {**call.environ, "wsgi.input": io.BytesIO(call.raw), "CONTENT_LENGTH": str(len(call.raw))}
        started: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable:
            started.update(status=status, headers=list(headers))
            return lambda data: None

        chunks = self.app(environ, start_response)
        try:
            body = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        return Answer(started["status"], started["headers"], body)

    def _oversized_update(self, call: Call, before: list[Image]) -> Answer | None:
        """AWS measures an update by the item it makes: undo one that made it too large."""
        if call.operation != "UpdateItem" or not before:
            return None
        [image] = before
        updated = stored_item(image.table, image.key)
        if updated is None or item_size(updated.to_json()["Attributes"]) <= MAX_ITEM_BYTES:
            return None
        store_item(image.table, image.key, image.item)
        self.faults["validation"] += 1
        return error_answer("ValidationException", UPDATE_TOO_LARGE)

    def _remember(self, call: Call, before: list[Image], answer: Answer, now: float) -> None:
        if self._keeps_history():
            self._history.writes.extend(Write(now, image.table.name, image.key, image.item) for image in before)
        if call.operation != "TransactWriteItems":
            return
        if self.config.contention_ms:
            until = now + self.config.contention_ms / 1000
            self._history.holds.update(dict.fromkeys(self._item_ids(call), until))
        if token := call.body.get("ClientRequestToken"):
            self._history.tokens[token] = RememberedTransaction(now, without_token(call.body), answer)

    def _item_ids(self, call: Call) -> list[ItemId]:
        ids = []
        for action in request_actions(call.operation, call.body):
            table = call.table(action.table)
            ids.append(item_id(action.table, action_key(table, action) if table else action.key or {}))
        return ids

    def _forget_old(self, now: float) -> None:
        history = self._history
        oldest_write = now - self.config.lag_ms / 1000
        while history.writes and history.writes[0].at < oldest_write:
            history.writes.popleft()
        if history.holds:  # kept a while: a request may have waited for the lock since it arrived
            history.holds = {item: until for item, until in history.holds.items() if until > now - HOLDS_KEPT}
        while history.tokens and next(iter(history.tokens.values())).at < now - TOKEN_SECONDS:
            del history.tokens[next(iter(history.tokens))]
