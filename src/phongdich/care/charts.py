"""Vital-sign charts as server-rendered SVG (no script, readable on any phone), with the warning
thresholds of the patient's rule set drawn as dashed red lines."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.utils.html import escape

from phongdich.care.rulesets import RuleSet
from phongdich.care.warnings import respiratory_rate_threshold

WIDTH, HEIGHT, PAD_LEFT, PAD = 340, 120, 34, 10


@dataclass(frozen=True)
class Series:
    field: str
    label: str
    unit: str
    low: float
    high: float
    thresholds: tuple[float, ...]


def series_for(rule_set: RuleSet, age_months: int) -> list[Series]:
    w = rule_set.warnings
    rr = respiratory_rate_threshold(rule_set, age_months)
    fever = (w["fever_above_c"],) if age_months < w["fever_max_age_months"] else ()
    return [
        Series("spo2", "SpO2", "%", 85, 100, (w["spo2_at_most"],)),
        Series("respiratory_rate", "RR", "/min", 10, 60, (rr,) if rr else ()),
        Series("pulse", "HR", "/min", 40, 140, (w["pulse_below"], w["pulse_above"])),
        Series("temperature_c", "T", "°C", 35, 41, fever),
        Series("systolic", "SYS", "mmHg", 60, 180, (w["systolic_below"],)),
    ]


def svg(
    series: Series, points: Sequence[tuple[datetime, float]], start: datetime, end: datetime
) -> str:
    values = [v for _t, v in points]
    low = min([series.low, *values, *series.thresholds])
    high = max([series.high, *values, *series.thresholds])
    span_t = max((end - start).total_seconds(), 1.0)
    span_v = max(high - low, 1e-6)
    plot_w, plot_h = WIDTH - PAD_LEFT - PAD, HEIGHT - 2 * PAD

    def x(t: datetime) -> float:
        return PAD_LEFT + plot_w * (t - start).total_seconds() / span_t

    def y(v: float) -> float:
        return PAD + plot_h * (1 - (v - low) / span_v)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'class="chart" data-field="{series.field}" aria-label="{escape(series.label)}">',
        f'<text x="2" y="{PAD + 4}" font-size="10">{high:g}</text>',
        f'<text x="2" y="{HEIGHT - PAD}" font-size="10">{low:g}</text>',
        f'<text x="{PAD_LEFT}" y="9" font-size="10" font-weight="bold">'
        f"{escape(series.label)} ({escape(series.unit)})</text>",
        f'<rect x="{PAD_LEFT}" y="{PAD}" width="{plot_w}" height="{plot_h}" fill="none" '
        'stroke="#d9dee4"/>',
    ]
    for limit in series.thresholds:
        parts.append(
            f'<line class="threshold" data-value="{limit:g}" x1="{PAD_LEFT}" x2="{WIDTH - PAD}" '
            f'y1="{y(limit):.1f}" y2="{y(limit):.1f}" stroke="#b42318" stroke-dasharray="4 3"/>'
            f'<text x="{WIDTH - PAD - 2}" y="{y(limit) - 2:.1f}" font-size="9" fill="#b42318" '
            f'text-anchor="end">{limit:g}</text>'
        )
    if points:
        path = " ".join(f"{x(t):.1f},{y(v):.1f}" for t, v in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#0b6e4f" stroke-width="2"/>')
        parts.extend(
            f'<circle cx="{x(t):.1f}" cy="{y(v):.1f}" r="2.5" fill="#0b6e4f"/>' for t, v in points
        )
    parts.append("</svg>")
    return "".join(parts)
