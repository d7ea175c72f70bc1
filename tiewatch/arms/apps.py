from django.apps import AppConfig


class ArmsConfig(AppConfig):
    name = "tiewatch.arms"
    label = "arms"
    default_auto_field = "django.db.models.BigAutoField"
