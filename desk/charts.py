"""Small bar charts as inline SVG, drawn on the server (no script, no CDN, no style attribute:
the Content-Security-Policy allows neither inline styles nor foreign scripts). Colours come from
the dashboard's stylesheet through class names; every label is escaped."""

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe

LABEL_WIDTH = 250
BAR_WIDTH = 280
VALUE_WIDTH = 150
ROW_HEIGHT = 26
BAR_HEIGHT = 16


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    shown: str  # the value as the reader should read it ("93 %", "4.5 days")
    tone: str = ""  # an extra class: "good", "warn", "bad"


def _short(text: str, length: int = 32) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def bar_chart(bars: Sequence[Bar], *, title: str, maximum: float | None = None) -> SafeString:
    """A horizontal bar chart: one labelled row per bar, scaled to ``maximum`` (else the largest
    value). Screen readers get the title and each row as text."""
    if not bars:
        return mark_safe(f'<p class="chart-empty">{escape(title)}: no data yet.</p>')
    top = maximum if maximum is not None else max(bar.value for bar in bars) or 1
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    height = ROW_HEIGHT * len(bars) + 6
    rows = []
    for index, bar in enumerate(bars):
        y = 3 + index * ROW_HEIGHT
        length = max(0.0, min(bar.value / top, 1.0)) * BAR_WIDTH if top else 0
        tone = f" chart__bar--{escape(bar.tone)}" if bar.tone else ""
        rows.append(
            f'<g class="chart__row"><title>{escape(bar.label)}: {escape(bar.shown)}</title>'
            f'<text class="chart__label" x="{LABEL_WIDTH - 8}" y="{y + BAR_HEIGHT - 3}" '
            f'text-anchor="end">{escape(_short(bar.label))}</text>'
            f'<rect class="chart__track" x="{LABEL_WIDTH}" y="{y}" width="{BAR_WIDTH}" '
            f'height="{BAR_HEIGHT}"/>'
            f'<rect class="chart__bar{tone}" x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" '
            f'height="{BAR_HEIGHT}"/>'
            f'<text class="chart__value" x="{LABEL_WIDTH + BAR_WIDTH + 8}" '
            f'y="{y + BAR_HEIGHT - 3}">{escape(bar.shown)}</text></g>'
        )
    return mark_safe(
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
        + "".join(rows)
        + "</svg>"
    )


def share_tone(share: float | None) -> str:
    if share is None:
        return ""
    return "good" if share >= 0.95 else "warn" if share >= 0.8 else "bad"
