from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "web"
    label = "web"
    verbose_name = "diarium"
    default_auto_field = "django.db.models.BigAutoField"
