from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _


class LoginProtectionConfig(AxesAppConfig):
    """django-axes under a Chinese name in the admin, where administrators
    find and lift lockouts (it has no Chinese catalogue of its own)."""

    verbose_name = _("登录保护")
