"""What a hint must be to reach a learner: one short paragraph of plain text.

Clients may put a hint into a page, so no markup survives: tags, comments and the
contents of scripts and styles are dropped, character references decoded, and that
repeated until nothing changes (so `&amp;lt;script&amp;gt;` cannot become a tag one
decoding later); angle brackets left over are dropped too.
"""

from __future__ import annotations

from html.parser import HTMLParser

from ai_hints.backends.base import LINK

HINT_MAX_LENGTH = 300
MARKUP_PASSES = 4  # decodings tried before text that keeps unfolding is refused
_HIDDEN = frozenset({"script", "style", "template", "textarea", "title"})  # their text is not prose
_BRACKETS = str.maketrans("", "", "<>")


class BadOutput(Exception):
    """A model's text that must not reach a learner."""


class _Text(HTMLParser):
    """The text a browser would show, entities decoded."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in _HIDDEN:
            self.hidden += 1

    def handle_endtag(self, tag):
        if tag in _HIDDEN and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def _text_of(markup: str) -> str:
    parser = _Text()
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts)


def plain_text(text: str) -> str:
    """`text` without markup: what is left when tags and entities are gone."""
    for _ in range(MARKUP_PASSES):
        unfolded = _text_of(text)
        if unfolded == text:
            return text.translate(_BRACKETS)
        text = unfolded
    raise BadOutput("markup nested too deep")


def hint_clean(text: str) -> str:
    """A model's answer as a learner may see it, or BadOutput: one paragraph of plain
    text of at most HINT_MAX_LENGTH characters, no links, not empty."""
    text = plain_text(text).strip()
    if not text:
        raise BadOutput("empty")
    if "\n\n" in text.replace("\r", ""):
        raise BadOutput("more than one paragraph")
    if LINK.search(text):
        raise BadOutput("a link")
    text = " ".join(text.split())
    if not text.isprintable():
        raise BadOutput("control characters")
    if len(text) > HINT_MAX_LENGTH:
        raise BadOutput(f"{len(text)} characters")
    return text
