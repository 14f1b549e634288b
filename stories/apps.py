from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StoriesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "stories"
    verbose_name = _("人物故事")

    def ready(self):
        from stories import signals  # noqa: F401 (keeps photos' public copies in step)
