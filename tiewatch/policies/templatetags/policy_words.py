"""Policy vocabulary in words: a rule's effect ("needs approval", not "require_approval") and a place
named by its name, not its OCD id."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from tiewatch.core.country_names import country_name

register = template.Library()

EFFECT_WORDS = {"prohibit": "prohibits", "require_approval": "needs approval", "report": "must be reported"}


@register.filter
def effect_words(effect: Any) -> str:
    return EFFECT_WORDS.get(str(effect), str(effect).replace("_", " "))


@register.filter
def place_words(ocd: Any) -> str:
    """An OCD id as words, for a place the registry does not list: its last part's name, then its state."""
    names = []
    for part in reversed(str(ocd or "").split("/")[1:]):
        key, _, value = part.partition(":")
        if key == "country":
            names.append(country_name(value))
        else:
            names.append(value.replace("_", " ").title() if len(value) > 2 else value.upper())
    return ", ".join(names)


@register.simple_tag
def place_link(places: dict[str, Any], ocd: str) -> SafeString:
    place = places.get(ocd)
    if place is None:
        return format_html("{}", place_words(ocd))
    return format_html('<a href="{}">{}</a>', reverse("registry:jurisdiction_detail", args=[place.slug]), place.name)
