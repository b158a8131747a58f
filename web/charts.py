"""Charts drawn on the server as SVG: nothing to download, nothing to run in the page.

Each series has its own line style and marker shape as well as its colour, so the
chart reads without colour vision; the page shows the same numbers in a table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

WIDTH, HEIGHT = 340, 190
LEFT, RIGHT, TOP, BOTTOM = 34, 10, 10, 28
STYLES = (
    ("s1", "", "circle"),
    ("s2", "6 4", "square"),
    ("s3", "2 3", "triangle"),
)


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]  # 0..1, None: no figure that week


def line_chart(labels: Sequence[str], series: Sequence[Series], title: str) -> str:
    """Percentages over `labels` (the weeks), one line per series, as an SVG element."""
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = inner_w / max(1, len(labels) - 1)

    def x(i: int) -> float:
        return round(LEFT + i * step, 1)

    def y(v: float) -> float:
        return round(TOP + inner_h * (1 - max(0.0, min(1.0, v))), 1)

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for pct in (0, 25, 50, 75, 100):
        gy = y(pct / 100)
        parts.append(f'<line class="grid" x1="{LEFT}" y1="{gy}" x2="{WIDTH - RIGHT}" y2="{gy}"/>')
        parts.append(
            f'<text class="ax" x="{LEFT - 4}" y="{gy + 3}" text-anchor="end">{pct}%</text>'
        )
    for i, label in enumerate(labels):
        parts.append(
            f'<text class="ax" x="{x(i)}" y="{HEIGHT - 10}" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
    for (css, dash, marker), s in zip(STYLES, series, strict=False):
        points = [(x(i), y(v)) for i, v in enumerate(s.values) if v is not None]
        if not points:
            continue
        path = " ".join(f"{px},{py}" for px, py in points)
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<polyline class="{css}" points="{path}"{dashed}/>')
        parts.extend(_marker(marker, css, px, py) for px, py in points)
    parts.append("</svg>")
    return "".join(parts)


def _marker(shape: str, css: str, x: float, y: float) -> str:
    if shape == "circle":
        return f'<circle class="{css}" cx="{x}" cy="{y}" r="3"/>'
    if shape == "square":
        return f'<rect class="{css}" x="{x - 3}" y="{y - 3}" width="6" height="6"/>'
    return f'<polygon class="{css}" points="{x},{y - 4} {x - 4},{y + 3} {x + 4},{y + 3}"/>'
