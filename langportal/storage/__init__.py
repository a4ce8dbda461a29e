"""The storage layer: how every app keeps its data in DynamoDB.

- `dynamo`: table naming and client settings, the one place where DynamoDB errors become
  our exceptions, transactions whose failed conditions raise typed errors, and batch
  reads and writes that resend what DynamoDB left unprocessed.
- `retry`: the retry policy for contended writes (full-jitter backoff, then a 503).
- `orderindex` (with the in-memory tree in `ordertree`): page-numbered listings, as
  counted B+ trees of items.
- `sequences`: the server's ids, "1", "2", ...
- `models`: the tables of the indexes and the sequences.

It knows nothing of the apps or of the rules built on it (Idempotency-Keys, rate
counters); `make lint` checks both. docs/data-model.md has the tables and their limits.
"""
