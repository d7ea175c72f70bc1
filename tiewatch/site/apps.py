from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "tiewatch.site"
    # Not "site": the label names the app in Django's registry and must not read as the stdlib module.
    label = "tiewatch_site"

    def ready(self) -> None:
        from tiewatch.site import arms_section

        arms_section.register()
