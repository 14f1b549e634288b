from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PageCacheConfig(AppConfig):
    name = "pagecache"
    verbose_name = _("页面缓存")

    def ready(self):
        from django.db.models.signals import post_migrate

        from pagecache import signals, store
        from privacy.rules import keep_names_with

        signals.connect()
        keep_names_with(store.process_memo)
        # A deploy (which migrates) may change how pages look: none kept from
        # the old code is served by the new.
        post_migrate.connect(signals.deployed, sender=self)
