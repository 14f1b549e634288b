from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EditorialConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "editorial"
    verbose_name = _("编辑流程")

    def ready(self):
        from editorial import signals  # noqa: F401 (connects the receivers)
