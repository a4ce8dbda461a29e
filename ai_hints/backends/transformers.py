"""Mistral-7B-Instruct run here with Hugging Face transformers, from a local folder.

torch and transformers are imported when this backend is first used, never at start-up,
and the model is loaded once per process: on a GPU when there is one. Nothing is
fetched from a hub: the folder must hold the weights and the tokenizer. Install
requirements-transformers.txt to use it.
"""

from __future__ import annotations

import functools
import logging

from django.conf import settings

from ai_hints.backends.base import BackendFailed, HintBackend, HintRequest, prompt

logger = logging.getLogger(__name__)


@functools.cache
def load(path: str):
    """(tokenizer, model, device) for the model in `path`."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    device = "cuda" if torch.cuda.is_available() else "cpu"
    dtype = torch.float16 if device == "cuda" else torch.float32
    tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
    model = AutoModelForCausalLM.from_pretrained(path, local_files_only=True, dtype=dtype).to(device)
    model.eval()
    logger.info("Loaded the hint model from %s on %s", path, device)
    return tokenizer, model, device


class TransformersBackend(HintBackend):
    name = "transformers"

    def __init__(self):
        self.path = settings.AI_TRANSFORMERS_MODEL_PATH
        self.model = f"local:{self.path.rstrip('/').rsplit('/', 1)[-1]}" if self.path else "local"

    def generate(self, request: HintRequest) -> str:
        if not self.path:
            raise BackendFailed("AI_TRANSFORMERS_MODEL_PATH is not set.")
        try:
            tokenizer, model, device = load(self.path)
            import torch

            inputs = tokenizer(prompt(request), return_tensors="pt", add_special_tokens=False).to(device)
            with torch.no_grad():
                output = model.generate(
                    **inputs,
                    max_new_tokens=settings.AI_MAX_TOKENS,
                    max_time=min(settings.AI_READ_TIMEOUT, settings.AI_HINT_DEADLINE_SECONDS),
                    do_sample=False,
                    pad_token_id=tokenizer.pad_token_id or tokenizer.eos_token_id,
                )
        except (OSError, ValueError, RuntimeError) as error:  # missing files, bad config, out of memory
            raise BackendFailed(f"Local model: {error}") from error
        new_tokens = output[0][inputs["input_ids"].shape[1] :]
        return tokenizer.decode(new_tokens, skip_special_tokens=True)
