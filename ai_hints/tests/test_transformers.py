"""The local-model provider: real loading and generation on a tiny random Mistral.

Its output head is all zeros, so greedy decoding always picks token 0: each test
folder puts the token it wants first in the vocabulary.
"""

import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")  # make test installs the CPU build; skipped only without it
transformers = pytest.importorskip("transformers")

from tokenizers import Tokenizer, decoders, models, pre_tokenizers  # noqa: E402

WORDS = ["a", "word", "hint", "greeting", "said", "during", "the", "day", "[INST]", "[/INST]"]


def tiny_model(folder: Path, first_token: str) -> str:
    vocabulary = {first_token: 0}
    for token in ["<unk>", "<s>", "</s>", *WORDS]:
        vocabulary.setdefault(token, len(vocabulary))
    tokenizer = Tokenizer(models.WordLevel(vocab=vocabulary, unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tokenizer.decoder = decoders.WordPiece(prefix="##", cleanup=False)
    transformers.PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, unk_token="<unk>", bos_token="<s>", eos_token="</s>"
    ).save_pretrained(folder)
    torch.manual_seed(0)
    config = transformers.MistralConfig(
        vocab_size=max(32, len(vocabulary)),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        intermediate_size=37,
        bos_token_id=vocabulary["<s>"],
        eos_token_id=vocabulary["</s>"],
        pad_token_id=vocabulary["</s>"],
    )
    model = transformers.MistralForCausalLM(config)
    with torch.no_grad():
        model.lm_head.weight.zero_()
    model.save_pretrained(folder)
    return str(folder)


@pytest.fixture
def local_model(settings, tmp_path):
    def configure(first_token: str) -> str:
        settings.AI_HINT_PROVIDERS = ["transformers", "offline"]
        settings.AI_TRANSFORMERS_MODEL_PATH = tiny_model(tmp_path / first_token.strip("<>/:."), first_token)
        return settings.AI_TRANSFORMERS_MODEL_PATH

    return configure


def test_generation_is_capped_at_max_tokens(local_model, hint, words, settings):
    path = local_model("greeting")
    settings.AI_MAX_TOKENS = 5
    body = hint().json()
    assert (body["source"], body["model"]) == ("transformers", f"local:{Path(path).name}")
    assert body["ai_hint"] == "greeting greeting greeting greeting greeting"


def test_a_link_in_the_output_falls_through(local_model, hint, words):
    local_model("https://example.com")
    assert hint().json()["source"] == "offline"


def test_an_empty_output_falls_through(local_model, hint, words):
    local_model("</s>")  # the end-of-text token comes first: nothing is generated
    assert hint().json()["source"] == "offline"


def test_a_missing_model_folder_falls_through(hint, words, settings, tmp_path):
    settings.AI_HINT_PROVIDERS = ["transformers", "offline"]
    settings.AI_TRANSFORMERS_MODEL_PATH = str(tmp_path / "nothing-here")
    assert hint().json()["source"] == "offline"


def test_torch_is_imported_only_when_the_local_model_is_configured():
    code = (
        "import django, sys; django.setup(); "
        "from ai_hints import backends, services; backends.configured(); "
        "print('torch' in sys.modules, 'transformers' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"DJANGO_SETTINGS_MODULE": "tests.settings", "PATH": "/usr/bin:/bin"},
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.stdout.strip() == "False False", result.stderr
