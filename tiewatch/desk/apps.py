"""The research desk: what has been researched (including "nothing found"), research tasks for
contributors, public-records requests, and follows with alerts."""
from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "tiewatch.desk"
    label = "desk"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The registry's entity page shows "What has been researched" through its section hook.
        from tiewatch.desk.views_coverage import agency_section
        from tiewatch.registry.sections import add_entity_section

        add_entity_section(agency_section)
