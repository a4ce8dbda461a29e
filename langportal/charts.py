"""Small charts drawn on the server as SVG: the admin works offline, with no chart library."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT, MARGIN = 720, 220, 32


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    note: str = ""


def bar_chart(bars: list[Bar], *, title: str, unit: str = "", maximum: float | None = None) -> SafeString:
    """Vertical bars with their values on hover and a label under every few (all text escaped)."""
    top = maximum if maximum is not None else max([bar.value for bar in bars] + [1])
    step = (WIDTH - 2 * MARGIN) / max(len(bars), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" class="chart">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{MARGIN}" y1="{HEIGHT - MARGIN}" x2="{WIDTH - MARGIN}" y2="{HEIGHT - MARGIN}" stroke="#999"/>',
        f'<text x="{MARGIN}" y="14" font-size="11" fill="#666">{_number(top)}{escape(unit)}</text>',
    ]
    label_every = max(1, len(bars) // 10)
    for index, bar in enumerate(bars):
        height = (HEIGHT - 2 * MARGIN) * (bar.value / top if top else 0)
        x = MARGIN + index * step + step * 0.1
        y = HEIGHT - MARGIN - height
        tip = f"{bar.label}: {_number(bar.value)}{unit}{' · ' + bar.note if bar.note else ''}"
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{step * 0.8:.1f}" height="{height:.1f}" fill="#417690">'
            f"<title>{escape(tip)}</title></rect>"
        )
        if index % label_every == 0:
            parts.append(
                f'<text x="{x + step * 0.4:.1f}" y="{HEIGHT - MARGIN + 14}" font-size="10" text-anchor="middle" '
                f'fill="#666">{escape(_fit(bar.label, step * label_every))}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every piece of text above went through escape())


def _fit(label: str, width: float) -> str:
    """A label cut to the room it has (about 6 units a character at this size)."""
    room = max(3, int(width / 6))
    return label if len(label) <= room else label[: room - 1] + "…"


def _number(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"
