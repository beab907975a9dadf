"""Charts as SVG, drawn on the server: no JavaScript library, nothing to download, and
the same picture in a browser, an email and a PDF. Framework-free.

Every chart is an image with a title and a description for screen readers; every
label is escaped; a bar may link to the tickets behind it (drill-down).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

WIDTH, HEIGHT = 640, 220
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 44, 12, 34, 40
COLORS = ("#1f6feb", "#d1242f", "#1a7f37", "#9a6700", "#8250df")


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]  # None: no value at this point (nothing to measure)


def _frame(title: str, description: str, body: str) -> str:
    key = hashlib.sha1(f"{title}|{description}".encode(), usedforsecurity=False).hexdigest()[:8]
    return (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="t{key} d{key}" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="t{key}">{escape(title)}</title><desc id="d{key}">{escape(description)}</desc>'
        f'<text x="4" y="15" font-size="13" font-weight="600" fill="#24292f" aria-hidden="true">'
        f"{escape(title)}</text>{body}</svg>"
    )


def _scale(top: float) -> float:
    """A round number at or above ``top`` for the axis."""
    if top <= 0:
        return 1.0
    step = 10 ** (len(str(int(top))) - 1)
    for nice in (1, 2, 2.5, 5, 10):
        if nice * step >= top:
            return float(nice * step)
    return float(10 * step)


def _axis(top: float, unit: str) -> str:
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    lines = []
    for i in range(5):
        value = top * i / 4
        y = PAD_TOP + plot_h - plot_h * i / 4
        label = f"{value:g}{unit}"
        lines.append(
            f'<line x1="{PAD_LEFT}" x2="{WIDTH - PAD_RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#d0d7de" stroke-width="1"/>'
            f'<text x="{PAD_LEFT - 4}" y="{y + 4:.1f}" font-size="11" text-anchor="end" '
            f'fill="#57606a">{escape(label)}</text>'
        )
    return "".join(lines)


def _labels(labels: Sequence[str], slot: float) -> str:
    every = max(1, len(labels) // 12)  # at most a dozen labels under the axis
    out = []
    for i, label in enumerate(labels):
        if i % every:
            continue
        x = PAD_LEFT + slot * (i + 0.5)
        out.append(
            f'<text x="{x:.1f}" y="{HEIGHT - PAD_BOTTOM + 16}" font-size="11" '
            f'text-anchor="middle" fill="#57606a">{escape(label)}</text>'
        )
    return "".join(out)


def bar_chart(
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    *,
    unit: str = "",
    links: Sequence[str | None] | None = None,
) -> str:
    """One bar per label; a bar with a link opens it (the tickets behind the figure)."""
    top = _scale(max(values, default=0))
    plot_w, plot_h = WIDTH - PAD_LEFT - PAD_RIGHT, HEIGHT - PAD_TOP - PAD_BOTTOM
    slot = plot_w / max(1, len(values))
    bars = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = plot_h * value / top
        x, y = PAD_LEFT + slot * i + slot * 0.15, PAD_TOP + plot_h - h
        bar = (
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" '
            f'fill="{COLORS[0]}"><title>{escape(label)}: {value:g}{escape(unit)}</title></rect>'
        )
        link = links[i] if links else None
        bars.append(f'<a href="{escape(link)}">{bar}</a>' if link else bar)
    description = ", ".join(
        f"{label}: {v:g}{unit}" for label, v in zip(labels, values, strict=True)
    )
    body = _axis(top, unit) + "".join(bars) + _labels(labels, slot)
    return _frame(title, description or "No data.", body)


def line_chart(
    title: str, labels: Sequence[str], series: Sequence[Series], *, unit: str = ""
) -> str:
    """One line per series over the labels; a gap where a value is missing."""
    known = [v for s in series for v in s.values if v is not None]
    low = min(0.0, min(known, default=0.0))
    top = _scale(max(known, default=0.0) - low) + low
    plot_w, plot_h = WIDTH - PAD_LEFT - PAD_RIGHT, HEIGHT - PAD_TOP - PAD_BOTTOM
    slot = plot_w / max(1, len(labels))

    def point(i: int, v: float) -> tuple[float, float]:
        return PAD_LEFT + slot * (i + 0.5), PAD_TOP + plot_h - plot_h * (v - low) / (top - low)

    paths, legend = [], []
    for n, s in enumerate(series):
        color = COLORS[n % len(COLORS)]
        d, pen_up = [], True
        for i, v in enumerate(s.values):
            if v is None:
                pen_up = True
                continue
            x, y = point(i, v)
            d.append(f"{'M' if pen_up else 'L'}{x:.1f},{y:.1f}")
            paths.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}"><title>'
                f"{escape(s.name)}, {escape(labels[i])}: {v:g}{escape(unit)}</title></circle>"
            )
            pen_up = False
        paths.append(f'<path d="{" ".join(d)}" fill="none" stroke="{color}" stroke-width="2"/>')
        legend.append(
            f'<text x="{PAD_LEFT + 8 + 150 * n}" y="{PAD_TOP - 4}" font-size="11" '
            f'fill="{color}">● {escape(s.name)}</text>'
        )
    description = "; ".join(
        f"{s.name}: "
        + ", ".join(
            f"{lab} {'-' if v is None else f'{v:g}'}"
            for lab, v in zip(labels, s.values, strict=True)
        )
        for s in series
    )
    body = _axis(top - low, unit) + "".join(paths) + "".join(legend) + _labels(labels, slot)
    return _frame(title, description or "No data.", body)


def stacked_share(title: str, parts: Sequence[tuple[str, float]]) -> str:
    """One horizontal bar split into parts (promoters, passives, detractors), in percent."""
    total = sum(v for _, v in parts) or 1.0
    x, shapes = float(PAD_LEFT), []
    width = WIDTH - PAD_LEFT - PAD_RIGHT
    for n, (name, value) in enumerate(parts):
        w = width * value / total
        color = (COLORS[2], "#8c959f", COLORS[1])[n % 3]
        shapes.append(
            f'<rect x="{x:.1f}" y="60" width="{w:.1f}" height="48" fill="{color}">'
            f"<title>{escape(name)}: {value:g}%</title></rect>"
            f'<text x="{x + 4:.1f}" y="130" font-size="12" fill="#24292f">'
            f"{escape(name)} {value:g}%</text>"
        )
        x += w
    description = ", ".join(f"{name}: {value:g}%" for name, value in parts)
    return _frame(title, description, "".join(shapes))
