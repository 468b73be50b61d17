"""Server-side SVG charts for the staff dashboard (no chart library, nothing from another host).

Each chart is a bar per day; the bars carry `data-day` and `data-value`, the chart its scale (`data-top`,
`data-base`, `data-room`), so the page's live updates can grow today's bar and rescale the others.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT, PAD = 560, 140, 24


def bar_chart(*, key: str, title: str, days: list[str], values: list[float], color: str = "#417690") -> SafeString:
    top = max([*values, 1])
    slot = (WIDTH - 2 * PAD) / max(len(values), 1)
    bars = []
    for index, (day, value) in enumerate(zip(days, values, strict=True)):
        height = (HEIGHT - 2 * PAD) * value / top
        x = PAD + index * slot
        y = HEIGHT - PAD - height
        bars.append(
            f'<rect class="bar" data-day="{escape(day)}" data-value="{value:g}" x="{x:.1f}" y="{y:.1f}" '
            f'width="{max(slot - 2, 1):.1f}" height="{height:.1f}" fill="{color}"><title>{escape(day)}: {value:g}'
            "</title></rect>"
        )
    first, last = (escape(days[0]), escape(days[-1])) if days else ("", "")
    return mark_safe(  # noqa: S308 - every interpolated text is escaped above
        f'<svg class="chart" data-chart="{escape(key)}" data-top="{top:g}" data-base="{HEIGHT - PAD}" '
        f'data-room="{HEIGHT - 2 * PAD}" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'role="img" aria-label="{escape(title)}">'
        f'<text x="{PAD}" y="14" font-size="12" font-weight="bold">{escape(title)}</text>'
        f'<text class="chart-top" x="{WIDTH - PAD}" y="14" font-size="11" text-anchor="end">max {top:g}</text>'
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" stroke="#999"/>'
        + "".join(bars)
        + f'<text x="{PAD}" y="{HEIGHT - 6}" font-size="10">{first}</text>'
        f'<text x="{WIDTH - PAD}" y="{HEIGHT - 6}" font-size="10" text-anchor="end">{last}</text></svg>'
    )
