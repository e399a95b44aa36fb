"""Bar charts as inline SVG, drawn on the server: the report prints and opens offline."""

from __future__ import annotations

from html import escape

WIDTH = 640
ROW = 26
LABEL_W = 190
COLOURS = ("#0b5cd5", "#137a3a", "#9a5b00", "#6b3fa0", "#b3261e", "#2f6f7a")


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def bar_chart(caption: str, bars: list[tuple[str, float]], unit: str = "") -> str:
    """Horizontal bars with the value written at the end of each; empty charts say so."""
    if not bars:
        return f'<p class="empty">{escape(caption)}: nothing to show.</p>'
    top = max((v for _, v in bars), default=0) or 1
    span = WIDTH - LABEL_W - 60
    height = ROW * len(bars) + 8
    parts = [
        f'<figure class="chart"><svg xmlns="http://www.w3.org/2000/svg" role="img" '
        f'width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" '
        f'aria-label="{escape(caption)}"><title>{escape(caption)}</title>'
    ]
    for i, (label, value) in enumerate(bars):
        y = 4 + i * ROW
        w = max(0.0, span * value / top)
        colour = COLOURS[i % len(COLOURS)]
        short = label if len(label) <= 28 else label[:27] + "…"
        parts.append(
            f'<text x="{LABEL_W - 8}" y="{y + 17}" text-anchor="end" font-size="13" '
            f'fill="#15181d">{escape(short)}</text>'
            f'<rect x="{LABEL_W}" y="{y + 4}" width="{w:.1f}" height="{ROW - 8}" '
            f'fill="{colour}" rx="3"/>'
            f'<text x="{LABEL_W + w + 6:.1f}" y="{y + 17}" font-size="13" '
            f'fill="#15181d">{_num(value)}{escape(unit)}</text>'
        )
    parts.append(f"</svg><figcaption>{escape(caption)}</figcaption></figure>")
    return "".join(parts)
