"""Filters that turn vocabulary into words for people: `{{ code|country_name }}` ("United States", not
"US"), `{{ value|words }}` ("equipment transfer", not "equipment_transfer")."""

from __future__ import annotations

from typing import Any

from django import template

from tiewatch.core.country_names import country_name as _country_name

register = template.Library()


@register.filter
def country_name(code: Any) -> str:
    return _country_name(str(code or ""))


@register.filter
def words(value: Any) -> str:
    return str(value if value is not None else "").replace("_", " ")
