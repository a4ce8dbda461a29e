"""A check of ours for schemathesis (loaded through SCHEMATHESIS_HOOKS).

On DynamoDB as AWS runs it, a request may find the database busy: the one 5xx the API
may answer is a 503 that says when to retry.
"""

import schemathesis


@schemathesis.check
def only_503_with_retry_after(ctx, response, case):
    """No server error but a 503 with Retry-After."""
    said_when = response.headers.get("retry-after")  # schemathesis lowercases the names
    if response.status_code >= 500 and not (response.status_code == 503 and said_when):
        raise AssertionError(f"{response.status_code} from {case.operation.label} (only a 503 with Retry-After may be)")
