from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "privacy"
    verbose_name = _("隐私保护")

    def ready(self):
        from privacy.files import private_inside_public

        checks.register(private_inside_public)
