"""The console's charts: SVG drawn on the server, inlined in the page.

Plain SVG written here (lines, dots, bars, guides, labels, a legend) with
presentation attributes only: no script, no style sheet, nothing outside the page,
which the page's CSP requires; the dashboard and the complaint analytics use them. A
year of weekly lines costs a few milliseconds (pygal
took about 55 ms of CPU per chart). Each chart scales to its container (a
``viewBox``), carries a label for screen readers, and the page puts its figures in a
table beside it (the text alternative); a dot or a bar's ``<title>`` gives its figure.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import Markup, escape

from bot.dashboard import Bar, Point

BAND_COLOURS = {"detractor": "#c0392b", "passive": "#b7950b", "promoter": "#1e8449"}
SERIES_COLOURS = ("#14365f", "#c0392b", "#1e8449", "#b7950b", "#7d3c98", "#117a65")


def distribution(bars: Sequence[Bar], title: str) -> Markup:
    """Draw the 0-10 NPS bars, coloured by detractor, passive and promoter, each with its count."""
    ticks = _ticks(0.0, float(max((bar.count for bar in bars), default=0) or 1))
    plot = _Plot(len(bars) + 1, 0.0, ticks[-1])
    parts = [_open(title), *_axes(plot, ticks, [])]
    width = plot.step * 0.8
    for index, bar in enumerate(bars):
        x, y = plot.x(index) + plot.step * 0.1, plot.y(bar.count)
        middle = round(x + width / 2, 1)
        parts.append(f'<rect x="{round(x, 1)}" y="{y}" width="{round(width, 1)}" '
                     f'height="{round(BOTTOM - y, 1)}" fill="{BAND_COLOURS[bar.band]}">'
                     f"<title>{bar.score}: {bar.count}</title></rect>"
                     f'<text x="{middle}" y="{y - 4}" text-anchor="middle" font-size="13">'
                     f'{bar.count}</text><text x="{middle}" y="{BOTTOM + 18}" '
                     f'text-anchor="middle">{bar.score}</text>')
    return Markup("".join(parts) + "</svg>")


def grouped_bars(groups: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]],
                 title: str, top: float = 100.0) -> Markup:
    """Draw bars side by side per group (one colour per series, each with its figure), 0 to top."""
    ticks = _ticks(0.0, top)
    plot = _Plot(len(groups) + 1, 0.0, ticks[-1])
    parts = [_open(title), *_axes(plot, ticks, [])]
    width = plot.step * 0.8 / max(1, len(series))
    for g, group in enumerate(groups):
        for s, (name, values) in enumerate(series):
            number = values[g]
            if number is None:
                continue
            x, y = plot.x(g) + plot.step * 0.1 + s * width, plot.y(number)
            parts.append(f'<rect x="{round(x, 1)}" y="{y}" width="{round(width, 1)}" '
                         f'height="{round(BOTTOM - y, 1)}" '
                         f'fill="{SERIES_COLOURS[s % len(SERIES_COLOURS)]}"><title>'
                         f'{escape(group)}, {escape(name)}: {number:g}</title></rect>')
        middle = round(plot.x(g) + plot.step / 2, 1)
        parts.append(f'<text x="{middle}" y="{BOTTOM + 18}" text-anchor="middle" '
                     f'font-size="12">{escape(group)}</text>')
    parts += _legend([name for name, _ in series])
    return Markup("".join(parts) + "</svg>")


def _open(title: str) -> str:
    """Return the start of a chart: the labelled ``<svg>``, its background and its title."""
    return (f'<svg role="img" aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg" '
            f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="system-ui, sans-serif" '
            f'font-size="14" fill="#1b1b1b"><rect width="{WIDTH}" height="{HEIGHT}" '
            f'fill="#ffffff"/><text x="{WIDTH / 2:g}" y="20" text-anchor="middle" '
            f'font-size="16">{escape(title)}</text>')


def trend(points: Sequence[Point], labels: Sequence[str], metric: str, title: str) -> Markup:
    """Draw one metric (``nps``, ``csat`` or ``ces``) per bucket, one line per channel.

    Lines broken where a bucket has no answer, a dot per value with its figure as a
    ``<title>``, guides, labels and a legend.
    """
    series: dict[str, dict[str, float | None]] = {}
    for point in points:
        series.setdefault(point.series, {})[point.start.isoformat()] = value(point, metric)
    lines = {name: [values.get(label) for label in labels] for name, values in
             sorted(series.items())}
    found = [v for values in lines.values() for v in values if v is not None]
    ticks = _ticks(min(found, default=0.0), max(found, default=1.0))
    plot = _Plot(len(labels), ticks[0], ticks[-1])
    parts = [_open(title)]
    parts += _axes(plot, ticks, labels)
    for index, (name, values) in enumerate(lines.items()):
        parts += _line(plot, name, values, labels, SERIES_COLOURS[index % len(SERIES_COLOURS)])
    parts += _legend(list(lines))
    return Markup("".join(parts) + "</svg>")


WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 34, 220  # the plot's edges


class _Plot:
    """Where a bucket's index and a value land in the chart."""

    def __init__(self, buckets: int, low: float, high: float) -> None:
        self.step = (WIDTH - RIGHT - LEFT) / max(1, buckets - 1)
        self.low, self.span = low, (high - low) or 1.0

    def x(self, index: int) -> float:
        """Return the horizontal position of bucket ``index``."""
        return round(LEFT + index * self.step, 1)

    def y(self, number: float) -> float:
        """Return the vertical position of ``number``."""
        return round(BOTTOM - (number - self.low) / self.span * (BOTTOM - TOP), 1)


def _ticks(low: float, high: float, wanted: int = 5) -> list[float]:
    """Return round guide values covering [low, high]: steps of 1, 2 or 5 times a power of ten."""
    if high <= low:
        low, high = low - 1, high + 1
    rough = (high - low) / wanted
    power = 10 ** math.floor(math.log10(rough))
    step = next(power * factor for factor in (1, 2, 5, 10) if power * factor >= rough)
    first = math.floor(low / step) * step
    return [round(first + i * step, 10) for i in range(math.ceil((high - first) / step) + 1)]


def _axes(plot: _Plot, ticks: Sequence[float], labels: Sequence[str]) -> list[str]:
    """Return the horizontal guides with their values, and the major bucket labels."""
    parts = []
    for tick in ticks:
        y = plot.y(tick)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y}" y2="{y}" '
                     f'stroke="#d6dbe1"/><text x="{LEFT - 6}" y="{y + 5}" '
                     f'text-anchor="end">{tick:g}</text>')
    every = max(1, len(labels) // 8)
    for index in range(0, len(labels), every):
        x, y = plot.x(index), BOTTOM + 18
        parts.append(f'<text x="{x}" y="{y}" text-anchor="end" font-size="12" '
                     f'transform="rotate(-30 {x} {y})">{escape(labels[index])}</text>')
    return parts


def _line(plot: _Plot, name: str, values: Sequence[float | None], labels: Sequence[str],
          colour: str) -> list[str]:
    """Return one series: its line, broken where a bucket has no value, and its dots."""
    path, dots, pen = [], [], "M"
    for index, number in enumerate(values):
        if number is None:
            pen = "M"
            continue
        x, y = plot.x(index), plot.y(number)
        path.append(f"{pen}{x} {y}")
        pen = "L"
        dots.append(f'<circle cx="{x}" cy="{y}" r="3"><title>{escape(name)} '
                    f'{escape(labels[index])}: {number:g}</title></circle>')
    return [f'<g fill="{colour}"><path d="{" ".join(path)}" fill="none" stroke="{colour}" '
            f'stroke-width="2"/>', *dots, "</g>"]


def _legend(names: Sequence[str]) -> list[str]:
    """Return the legend below the chart: a coloured square and the series' name, in rows."""
    parts, x, y = [], LEFT, HEIGHT - 30
    for index, name in enumerate(names):
        width = 26 + 8 * len(name)
        if x + width > WIDTH - RIGHT and x > LEFT:
            x, y = LEFT, y + 18
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        parts.append(f'<rect x="{x}" y="{y - 11}" width="12" height="12" fill="{colour}"/>'
                     f'<text x="{x + 18}" y="{y}">{escape(name)}</text>')
        x += width
    return parts


def value(point: Point, metric: str) -> float | None:
    """Return a point's figure for ``metric``: NPS score, CSAT % satisfied or CES mean."""
    if metric == "nps":
        return point.summary.nps.score
    if metric == "csat":
        return point.summary.csat.score
    return point.summary.ces.mean
