"""Charts as SVG drawn on the server: no script, no network, every label escaped.

Three shapes: bars (articles per day), stacked bars (a mirror's requests per run, served and
failed by reason) and lines in percent (field coverage per run).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

WIDTH, HEIGHT = 720, 220
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 14, 44
# Colour-blind-safe (Okabe-Ito), in the order series are given.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]
SERVED = "#009E73"


def _frame(title: str, body: list[str], legend: Sequence[tuple[str, str]] = ()) -> Markup:
    items = []
    x = LEFT
    for label, colour in legend:
        items.append(
            f'<rect x="{x}" y="{HEIGHT - 12}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{x + 14}" y="{HEIGHT - 3}" font-size="11">{escape(label)}</text>'
        )
        x += 24 + 7 * len(label)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{escape(title)}" class="chart"><title>{escape(title)}</title>'
        + "".join(body)
        + "".join(items)
        + "</svg>"
    )
    return Markup(svg)


def _axis(top: float) -> list[str]:
    bottom = HEIGHT - BOTTOM
    parts = [
        f'<line x1="{LEFT}" y1="{bottom}" x2="{WIDTH - RIGHT}" y2="{bottom}" stroke="#888"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{bottom}" stroke="#888"/>',
    ]
    for fraction in (0, 0.5, 1):
        y = bottom - fraction * (bottom - TOP)
        value = top * fraction
        label = f"{value:g}" if value != int(value) else str(int(value))
        parts.append(
            f'<text x="{LEFT - 4}" y="{y + 4:.1f}" font-size="11" text-anchor="end">'
            f"{escape(label)}</text>"
        )
    return parts


def _x_labels(labels: Sequence[str], step: float) -> list[str]:
    every = max(1, len(labels) // 8)
    parts = []
    for i, label in enumerate(labels):
        if i % every == 0 or i == len(labels) - 1:
            x = LEFT + step * (i + 0.5)
            parts.append(
                f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 14}" font-size="10" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    return parts


def bars(title: str, points: Sequence[tuple[str, int]]) -> Markup:
    """One bar per label (``points`` in the order shown)."""
    if not points:
        return _frame(title, [_empty()])
    top = max(1, max(n for _, n in points))
    step = (WIDTH - LEFT - RIGHT) / len(points)
    span = HEIGHT - BOTTOM - TOP
    body = _axis(top)
    for i, (label, n) in enumerate(points):
        h = span * n / top
        body.append(
            f'<rect x="{LEFT + step * i + 1:.1f}" y="{HEIGHT - BOTTOM - h:.1f}" '
            f'width="{max(1.0, step - 2):.1f}" height="{h:.1f}" fill="{PALETTE[0]}">'
            f"<title>{escape(label)}: {n}</title></rect>"
        )
    body += _x_labels([label for label, _ in points], step)
    return _frame(title, body)


def stacked(title: str, rows: Sequence[tuple[str, dict[str, int]]]) -> Markup:
    """One bar per row, its parts stacked (``served`` first, then the other keys)."""
    if not rows:
        return _frame(title, [_empty()])
    keys = sorted({k for _, parts in rows for k in parts}, key=lambda k: (k != "served", k))
    colours = {k: SERVED if k == "served" else PALETTE[(i % 7) + 1] for i, k in enumerate(keys)}
    top = max(1, max(sum(parts.values()) for _, parts in rows))
    step = (WIDTH - LEFT - RIGHT) / len(rows)
    span = HEIGHT - BOTTOM - TOP
    body = _axis(top)
    for i, (label, parts) in enumerate(rows):
        y = float(HEIGHT - BOTTOM)
        for key in keys:
            n = parts.get(key, 0)
            if not n:
                continue
            h = span * n / top
            y -= h
            body.append(
                f'<rect x="{LEFT + step * i + 2:.1f}" y="{y:.1f}" '
                f'width="{max(1.0, step - 4):.1f}" height="{h:.1f}" fill="{colours[key]}">'
                f"<title>{escape(label)}: {escape(key)} {n}</title></rect>"
            )
    body += _x_labels([label for label, _ in rows], step)
    return _frame(title, body, [(k, colours[k]) for k in keys])


def percent_lines(title: str, labels: Sequence[str], series: dict[str, list[float]]) -> Markup:
    """One line per series over ``labels``, values 0..1 drawn as percent."""
    if not labels or not series:
        return _frame(title, [_empty()])
    step = (WIDTH - LEFT - RIGHT) / len(labels)
    span = HEIGHT - BOTTOM - TOP
    body = _axis(100)
    legend = []
    for i, (name, values) in enumerate(sorted(series.items())):
        colour = PALETTE[i % len(PALETTE)]
        legend.append((name, colour))
        points = [
            (LEFT + step * (j + 0.5), HEIGHT - BOTTOM - span * max(0.0, min(1.0, v)))
            for j, v in enumerate(values)
        ]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for (x, y), v, label in zip(points, values, labels):
            body.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}">'
                f"<title>{escape(name)} {escape(label)}: {v:.0%}</title></circle>"
            )
    body += _x_labels(labels, step)
    return _frame(title, body, legend)


def _empty() -> str:
    return (
        f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" font-size="13" text-anchor="middle">'
        "nothing to draw yet</text>"
    )
