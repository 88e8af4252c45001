"""Plotly figures for the pages (pure functions: data in, figure out). Floats appear only here, for drawing.

Every word and figure a chart shows is written by ``core.i18n.formats`` in the app's language: days are category
labels (``mar. 20 oct. 2026``), so the hover's title is the one date it shows (``day_axes``); tick labels are
picked so the last day always has one; the hover text is formatted in advance; Plotly's own number formatting (the
money axis) gets the language's separators, and the axis title says the unit. Colours come from ``core.palette``,
the same as the email's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

import plotly.graph_objects as go

from core.i18n.formats import Formats, plotly_separators
from core.models import ChartPoint
from core.palette import ACCENT, colour

CONFIG = {  # st.plotly_chart(..., config=charts.CONFIG): no logo, no selection tools nobody uses here
    "displaylogo": False,
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d", "toggleSpikelines"],
}
GRID = "rgba(128,128,128,0.15)"


def tick_step(days: int) -> int:
    """Label every day up to a week, then few enough labels to stay readable on a phone."""
    if days <= 7:
        return 1
    if days <= 14:
        return 2
    if days <= 31:
        return 5
    if days <= 62:
        return 7
    return 14


def day_axes(fig: go.Figure, days: Sequence[date], f: Formats) -> list[str]:
    """Put the days on ``fig``: returns their category names (``Tue, Oct 20, 2026``), which the traces use as x.

    The hover's title is the hovered category's tick label when it has one, so the short tick labels (``Oct 20``)
    live on a second x-axis laid over the first (kept in step on zoom by ``matches``), fed by an invisible trace:
    the hover always titles itself with the full date, once, and ticks count back from the last day so it is
    always labelled."""
    names = [f.date(d, "weekday") for d in days]
    step = tick_step(len(days))
    ticks = list(range(len(days) - 1, -1, -step))[::-1]
    fig.add_trace(go.Scatter(x=names, y=[None] * len(names), xaxis="x2", hoverinfo="skip", showlegend=False))
    fig.update_layout(
        xaxis={"type": "category", "showticklabels": False, "ticks": "", "showgrid": False},
        xaxis2={
            "type": "category",
            "overlaying": "x",
            "matches": "x",
            "side": "bottom",
            "tickmode": "array",
            "tickvals": [names[i] for i in ticks],
            "ticktext": [f.date(days[i], "day") for i in ticks],
            "title": {"text": f.t("axis_day_utc")},
            "showgrid": False,
            "automargin": True,
        },
    )
    return names


def _money_axis(f: Formats) -> dict:
    """Plain amounts on the ticks (``1 500,00``): the title says they are US dollars, which saves a phone's width."""
    return {
        "tickformat": ",.2f",
        "rangemode": "tozero",
        "gridcolor": GRID,
        "title": {"text": f.t("axis_cost_usd")},
        "automargin": True,
    }


def _layout(fig: go.Figure, f: Formats, **extra) -> go.Figure:
    fig.update_layout(
        separators=plotly_separators(f.language),
        margin={"l": 10, "r": 10, "t": 36, "b": 10},  # the top margin keeps the mode bar clear of the plot
        hoverlabel={"namelength": -1},
        **extra,
    )
    return fig


def spending_area(points: Sequence[ChartPoint], f: Formats, *, runs: bool = True) -> go.Figure:
    """Daily spending as an area with a vertical gradient; one hover per day: the date, cost, runs, requests.
    ``runs=False`` when the providers shown do not count runs (Anthropic alone): no "Runs: 0" in the hover."""
    t = f.t
    names = [f.date(p.date, "weekday") for p in points]
    hover = []
    for p in points:
        lines = [t("label_value", label=t("chart_cost"), value=f.money(p.cost_usd))]
        if runs:
            lines.append(t("label_value", label=t("chart_runs"), value=f.number(p.runs)))
        if p.requests is not None:
            lines.append(t("label_value", label=t("chart_requests"), value=f.number(p.requests)))
        hover.append("<br>".join(lines))
    fig = go.Figure(
        go.Scatter(
            x=names,
            y=[float(p.cost_usd) for p in points],
            customdata=hover,
            mode="lines+markers" if len(points) <= 31 else "lines",
            line={"color": ACCENT, "width": 2},  # straight segments: a spline would draw spend that never happened
            marker={"size": 5},
            fill="tozeroy",
            fillgradient={
                "type": "vertical",
                "colorscale": [[0.0, "rgba(79,107,237,0.02)"], [1.0, "rgba(79,107,237,0.45)"]],
            },
            hovertemplate="%{customdata}<extra></extra>",
            name=t("chart_cost"),
        )
    )
    day_axes(fig, [p.date for p in points], f)
    return _layout(fig, f, height=360, hovermode="x unified", showlegend=False, yaxis=_money_axis(f))


def provider_share(costs: Mapping[str, Decimal], labels: Mapping[str, str], f: Formats) -> go.Figure:
    """Donut of cost by provider (in the order given), with the legend under it, clear of the mode bar."""
    total = sum(costs.values(), Decimal(0))
    shares = {name: (cost * 100 / total if total else Decimal(0)) for name, cost in costs.items()}
    fig = go.Figure(
        go.Pie(
            labels=[labels.get(name, name) for name in costs],
            values=[float(cost) for cost in costs.values()],
            hole=0.55,
            sort=False,
            marker={"colors": [colour(name) for name in costs]},
            text=[f.percent(shares[name]) for name in costs],
            textinfo="text",
            customdata=[f"{f.money(cost)} ({f.percent(shares[name])})" for name, cost in costs.items()],
            hovertemplate="<b>%{label}</b><br>%{customdata}<extra></extra>",
        )
    )
    return _layout(fig, f, height=380, legend={"orientation": "h", "x": 0, "y": -0.05, "yanchor": "top"})


def provider_daily(
    days: Sequence[date], series: Mapping[str, Sequence[Decimal]], labels: Mapping[str, str], f: Formats
) -> go.Figure:
    """Stacked bars: each day of the month, one colour per provider; one hover per day lists every provider."""
    names = [f.date(d, "weekday") for d in days]
    fig = go.Figure(
        [
            go.Bar(
                x=names,
                y=[float(v) for v in values],
                name=labels.get(name, name),
                marker_color=colour(name),
                customdata=[f.money(v) for v in values],
                hovertemplate=f.t("label_value", label=labels.get(name, name), value="%{customdata}")
                + "<extra></extra>",
            )
            for name, values in series.items()
        ]
    )
    day_axes(fig, days, f)
    return _layout(
        fig,
        f,
        barmode="stack",
        height=380,
        hovermode="x unified",
        yaxis=_money_axis(f),
        legend={"orientation": "h", "x": 0, "y": -0.25, "yanchor": "top", "traceorder": "normal"},  # as the donut
    )
