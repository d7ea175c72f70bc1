from django.apps import AppConfig


class DatasetsConfig(AppConfig):
    name = "tiewatch.datasets"
    label = "datasets"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tiewatch.datasets.browse.summaries import register_summaries

        register_summaries()
