from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "tiewatch.campaigns"
    label = "campaigns"
    default_auto_field = "django.db.models.BigAutoField"
