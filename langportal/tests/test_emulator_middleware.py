"""The emulator's `middleware` wraps moto's app: it sees each request and its whole answer."""

import json

import boto3

from langportal.local.emulator import Emulator


class Seen:
    """WSGI middleware recording each request's X-Amz-Target and its answer's body."""

    def __init__(self):
        self.requests: list[tuple[str, dict]] = []

    def __call__(self, app):
        def recorded(environ, start_response):
            body = list(app(environ, start_response))
            self.requests.append((environ.get("HTTP_X_AMZ_TARGET", ""), json.loads(b"".join(body))))
            return body

        return recorded


def test_a_middleware_sees_each_request_and_its_answer(aws):
    seen = Seen()
    emulator = Emulator(port=0, middleware=seen)
    emulator.start()
    try:
        client = boto3.client(
            "dynamodb",
            endpoint_url=emulator.endpoint,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )
        tables = client.list_tables()["TableNames"]
    finally:
        emulator.stop()
    assert seen.requests == [("DynamoDB_20120810.ListTables", {"TableNames": tables})]
