"""Plotly figures for the pages (pure functions: data in, figure out). Floats appear only here, for drawing."""

from __future__ import annotations

import plotly.graph_objects as go

from core.models import ChartPoint

ACCENT = "#4F6BED"


def spending_area(points: list[ChartPoint], labels: dict[str, str]) -> go.Figure:
    """Daily spending as an area with a vertical gradient; the tooltip shows date, cost and counts."""
    custom = [[p.runs, "" if p.requests is None else f"<br>{labels['requests']}: {p.requests:,}"] for p in points]
    fig = go.Figure(
        go.Scatter(
            x=[p.date.isoformat() for p in points],
            y=[float(p.cost_usd) for p in points],
            customdata=custom,
            mode="lines+markers" if len(points) <= 31 else "lines",
            line={"color": ACCENT, "width": 2},  # straight segments: a spline would draw spend that never happened
            marker={"size": 5},
            fill="tozeroy",
            fillgradient={
                "type": "vertical",
                "colorscale": [[0.0, "rgba(79,107,237,0.02)"], [1.0, "rgba(79,107,237,0.45)"]],
            },
            hovertemplate=(
                f"<b>%{{x|%a %d %b %Y}}</b><br>{labels['cost']}: $%{{y:,.2f}}"
                f"<br>{labels['runs']}: %{{customdata[0]}}%{{customdata[1]}}<extra></extra>"
            ),
            name=labels["cost"],
        )
    )
    fig.update_layout(
        height=340,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        hovermode="x unified",
        showlegend=False,
        xaxis={"type": "date", "showgrid": False, "tickformat": "%d %b"},
        yaxis={"tickprefix": "$", "tickformat": ",.2f", "rangemode": "tozero", "gridcolor": "rgba(128,128,128,0.15)"},
    )
    return fig


PALETTE = {
    "openai": "#10A37F",
    "anthropic": "#D97757",
    "elevenlabs": "#6B7280",
    "deepgram": "#13EF93",
    "openrouter": "#6467F2",
    "apify": "#F97316",
}


def provider_share(names: list[str], costs: list[float], labels: list[str]) -> go.Figure:
    """Donut of cost by provider."""
    fig = go.Figure(
        go.Pie(
            labels=labels,
            values=costs,
            hole=0.55,
            sort=False,
            marker={"colors": [PALETTE.get(n, ACCENT) for n in names]},
            textinfo="percent",
            hovertemplate="<b>%{label}</b><br>$%{value:,.2f} (%{percent})<extra></extra>",
        )
    )
    fig.update_layout(height=320, margin={"l": 10, "r": 10, "t": 10, "b": 10}, legend={"orientation": "v"})
    return fig


def provider_daily(days: list[str], series: dict[str, list[float]], labels: dict[str, str]) -> go.Figure:
    """Stacked bars: each day of the month, one colour per provider."""
    fig = go.Figure(
        [
            go.Bar(
                x=days,
                y=values,
                name=labels[name],
                marker_color=PALETTE.get(name, ACCENT),
                hovertemplate=f"<b>{labels[name]}</b> %{{x|%d %b}}: $%{{y:,.2f}}<extra></extra>",
            )
            for name, values in series.items()
        ]
    )
    fig.update_layout(
        barmode="stack",
        height=340,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis={"type": "date", "tickformat": "%d %b"},
        yaxis={"tickprefix": "$", "tickformat": ",.2f", "gridcolor": "rgba(128,128,128,0.15)"},
        legend={"orientation": "h", "y": -0.15},
    )
    return fig
