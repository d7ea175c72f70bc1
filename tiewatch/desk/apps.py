"""The research desk: what has been researched (including "nothing found"), research tasks for
contributors, public-records requests, and follows with alerts."""
from typing import Any

from django.apps import AppConfig


def _agency_section(request: Any, entity: Any, drafts: bool) -> Any:
    # Imported when a page asks, not at startup: commands that serve no page never load the views
    # (and through them the forms and pydantic).
    from tiewatch.desk.views_coverage import agency_section

    return agency_section(request, entity, drafts)


class DeskConfig(AppConfig):
    name = "tiewatch.desk"
    label = "desk"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The registry's entity page shows "What has been researched" through its section hook.
        from tiewatch.registry import sections

        sections.register("entity", "desk-coverage", _agency_section, order=300)
