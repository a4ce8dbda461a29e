"""Mistral 7B Instruct on Amazon Bedrock (bedrock-runtime InvokeModel)."""

from __future__ import annotations

import functools
import json

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings

from ai_hints.backends.base import STOP_SEQUENCES, BackendFailed, HintBackend, HintRequest, prompt


@functools.cache
def client():
    """A bedrock-runtime client with short timeouts: a hint is not worth a long wait, and
    a call its hint gave up on (ai_hints.calls) should free its slot soon."""
    config = Config(
        region_name=settings.AWS_REGION,
        connect_timeout=min(settings.AI_CONNECT_TIMEOUT, settings.AI_HINT_DEADLINE_SECONDS),
        read_timeout=min(settings.AI_READ_TIMEOUT, settings.AI_HINT_DEADLINE_SECONDS),
        retries={"total_max_attempts": settings.AI_MAX_ATTEMPTS, "mode": "standard"},
    )
    return boto3.session.Session().client("bedrock-runtime", config=config)


class BedrockBackend(HintBackend):
    name = "bedrock"

    def __init__(self):
        self.model = settings.AI_BEDROCK_MODEL_ID

    def body(self, request: HintRequest) -> dict:
        return {
            "prompt": prompt(request),
            "max_tokens": settings.AI_MAX_TOKENS,
            "temperature": 0.3,
            "top_p": 0.9,
            "stop": STOP_SEQUENCES,
        }

    def generate(self, request: HintRequest) -> str:
        try:
            response = client().invoke_model(
                modelId=self.model,
                body=json.dumps(self.body(request)),
                contentType="application/json",
                accept="application/json",
            )
            return json.loads(response["body"].read())["outputs"][0]["text"]
        except (BotoCoreError, ClientError) as error:
            raise BackendFailed(f"Bedrock: {error}") from error
        except (ValueError, KeyError, IndexError, TypeError) as error:
            raise BackendFailed(f"Bedrock answered in an unexpected shape: {error}") from error
