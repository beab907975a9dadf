"""Server-side SVG charts: coordinates computed here, drawn by the templates (no
JavaScript, no inline style: SVG presentation attributes only). Pure: no Django."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT, PAD = 720, 200, 28


@dataclass(frozen=True)
class Line:
    name: str
    points: str  # "x,y x,y …" for <polyline>
    css: str  # a class name for the colour


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    css: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    lines: list[Line]
    bars: list[Bar]
    y_max: float
    y_ticks: list[tuple[float, str]]  # (y, label)
    x_ticks: list[tuple[float, str]]


def _scale(n: int, y_max: float) -> tuple[float, float]:
    step = (WIDTH - 2 * PAD) / max(1, n)
    unit = (HEIGHT - 2 * PAD) / y_max if y_max > 0 else 0
    return step, unit


def chart(
    *,
    lines: dict[str, tuple[list[float | None], str]],
    bars: tuple[list[float], str] | None = None,
    x_labels: list[str],
    every: int = 4,
) -> Chart:
    """Lines (name → (values, css class)) and optional bars over the same x positions."""
    n = len(x_labels)
    values = [v for vs, _ in lines.values() for v in vs if v is not None]
    if bars:
        values += list(bars[0])
    y_max = max([*values, 1.0]) * 1.1
    step, unit = _scale(n, y_max)
    base = HEIGHT - PAD
    out_lines = []
    for name, (vs, css) in lines.items():
        pts = [
            f"{PAD + (i + 0.5) * step:.1f},{base - v * unit:.1f}"
            for i, v in enumerate(vs)
            if v is not None
        ]
        out_lines.append(Line(name, " ".join(pts), css))
    out_bars = []
    if bars:
        for i, v in enumerate(bars[0]):
            h = v * unit
            out_bars.append(Bar(PAD + i * step + 1, base - h, max(1.0, step - 2), h, bars[1]))
    y_ticks = [(base - f * y_max * unit, f"{f * y_max:.0f}") for f in (0, 0.5, 1)]
    x_ticks = [(PAD + (i + 0.5) * step, x_labels[i]) for i in range(0, n, every)]
    return Chart(WIDTH, HEIGHT, out_lines, out_bars, y_max, y_ticks, x_ticks)
