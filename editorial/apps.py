from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EditorialConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "editorial"
    verbose_name = _("编辑流程")

    def ready(self) -> None:
        from editorial import addresses, signals  # noqa: F401 - connects the receivers
        from editorial.audit import staff_roles
        from privacy.audit import audit_check

        audit_check(staff_roles)
