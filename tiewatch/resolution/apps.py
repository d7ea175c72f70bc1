from django.apps import AppConfig


class ResolutionConfig(AppConfig):
    name = "tiewatch.resolution"
    label = "resolution"
    default_auto_field = "django.db.models.BigAutoField"
