"""The arms section of a country's page: a national government's entity page (a SIPRI Trade Register
import marks it `national_government`) links that country's page of the arms data, and says which data
the arms pages read (TIEWATCH_ARMS_DATA, the shared real SIPRI files of the demo, or the invented fixture).
It lives in the site app because the registry may not import arms, nor arms the registry."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse

from tiewatch.arms.web import shown_path, source
from tiewatch.registry import sections


def entity_section(request: HttpRequest | None, entity: Any, drafts: bool) -> str:
    extra = entity.extra if isinstance(entity.extra, dict) else {}
    if extra.get("national_government") is not True:
        return ""
    data = source()
    return render_to_string("site/_arms_section.html", {
        "entity": entity, "url": reverse("arms:country", args=[entity.name]), "demo": data.demo,
        "shared": shown_path(data.shared) if data.shared else "", "unavailable": data.store is None,
    }, request=request)


def register() -> None:
    sections.register("entity", "arms", entity_section, order=30)
