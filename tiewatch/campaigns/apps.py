from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "tiewatch.campaigns"
    label = "campaigns"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The registry's and policies' pages show this app's sections through the registry's page-section hook.
        from tiewatch.campaigns import page_sections

        page_sections.register()
