"""The dashboard's charts: SVG drawn on the server by pygal, inlined in the page.

pygal's own scripts (tooltips, loaded from a CDN by default, and the inline script
that configures them) are left out, which the page's CSP requires; its styles are
inlined in the SVG, so a chart references nothing outside the page. Each
chart scales to its container (a ``viewBox``), carries a title for screen readers,
and the page puts its figures in a table beside it (the text alternative).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence

import pygal
from markupsafe import Markup
from pygal.style import Style

from bot.dashboard import Bar, Point

# pygal appends to sys.meta_path a finder for its map plugins (unused here) that lacks
# find_spec: every failed import anywhere in the process then warns (ImportWarning).
sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, pygal.PluginImportFixer)]

BAND_COLOURS = {"detractor": "#c0392b", "passive": "#b7950b", "promoter": "#1e8449"}
SERIES_COLOURS = ("#14365f", "#c0392b", "#1e8449", "#b7950b", "#7d3c98", "#117a65")
COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)  # pygal's config for its tooltips


def _style() -> Style:
    """Return the charts' style: the console's colours, system fonts, large enough on a phone."""
    return Style(background="#ffffff", plot_background="#ffffff", foreground="#1b1b1b",
                 foreground_strong="#1b1b1b", foreground_subtle="#d6dbe1",
                 colors=SERIES_COLOURS, font_family="system-ui, sans-serif",
                 label_font_size=14, major_label_font_size=14, legend_font_size=14,
                 value_font_size=13, title_font_size=16)


def _options(title: str) -> dict[str, object]:
    """Return the options every chart shares: no script, no XML declaration, a title."""
    return {"js": [], "disable_xml_declaration": True, "style": _style(), "title": title,
            "width": 640, "height": 300, "margin": 8, "show_y_guides": True}


def _svg(chart: pygal.graph.graph.Graph, label: str) -> Markup:
    """Render a chart as inline SVG labelled for screen readers, without pygal's comments."""
    svg = SCRIPT.sub("", COMMENT.sub("", chart.render(is_unicode=True)))
    named = svg.replace("<svg ", f'<svg role="img" aria-label="{Markup.escape(label)}" ', 1)
    return Markup(named)  # pygal escapes every label it draws


def distribution(bars: Sequence[Bar], title: str) -> Markup:
    """Draw the 0-10 NPS bars, coloured by detractor, passive and promoter."""
    chart = pygal.Bar(show_legend=False, print_values=True, **_options(title))
    chart.x_labels = [str(bar.score) for bar in bars]
    chart.add(title, [{"value": bar.count, "color": BAND_COLOURS[bar.band]} for bar in bars])
    return _svg(chart, title)


def trend(points: Sequence[Point], labels: Sequence[str], metric: str, title: str) -> Markup:
    """Draw one metric (``nps``, ``csat`` or ``ces``) per bucket, one line per channel."""
    chart = pygal.Line(show_dots=True, dots_size=3, legend_at_bottom=True, x_label_rotation=30,
                       show_minor_x_labels=False, allow_interruptions=True, **_options(title))
    chart.x_labels = list(labels)
    chart.x_labels_major = list(labels)[:: max(1, len(labels) // 8)]
    series: dict[str, dict[str, float | None]] = {}
    for point in points:
        series.setdefault(point.series, {})[point.start.isoformat()] = value(point, metric)
    for name, values in sorted(series.items()):
        chart.add(name, [values.get(label) for label in labels])
    return _svg(chart, title)


def value(point: Point, metric: str) -> float | None:
    """Return a point's figure for ``metric``: NPS score, CSAT % satisfied or CES mean."""
    if metric == "nps":
        return point.summary.nps.score
    if metric == "csat":
        return point.summary.csat.score
    return point.summary.ces.mean
