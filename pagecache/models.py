from django.db import models
from django.utils.translation import gettext_lazy as _


class Generation(models.Model):
    """The number every cached page is stored with, kept in the database when
    the cache is each process's own memory (CACHE_URL unset): the app
    servers' processes share no memory, but they share this row."""

    number = models.BigIntegerField(_("编号"))

    class Meta:
        verbose_name = _("内容版本")
        verbose_name_plural = _("内容版本")

    def __str__(self) -> str:
        return str(self.number)
