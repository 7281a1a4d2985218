from django.apps import AppConfig


class CasesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cases"
    verbose_name = "Declined detainers"

    def ready(self):
        from . import checks, dataversion, signals  # noqa: F401

        dataversion.connect()
