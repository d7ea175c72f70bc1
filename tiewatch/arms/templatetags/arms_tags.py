"""Template filters of the arms pages."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def pct(share: float | None, digits: int = 1) -> str:
    """A share (fraction, as in JSON) as text percent: 0.478 -> '47.8%'."""
    return "n/a" if share is None else f"{share * 100:.{digits}f}%"


@register.filter
def tiv(value: float | None) -> str:
    """TIV millions with thousands separators, as SIPRI prints them: 1500 -> '1,500'."""
    return "" if value is None else f"{value:,.0f}"
