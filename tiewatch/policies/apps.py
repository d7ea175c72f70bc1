from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "tiewatch.policies"
    label = "policies"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The registry's pages show this app's sections through its page-section hook.
        from tiewatch.policies import page_sections

        page_sections.register()
