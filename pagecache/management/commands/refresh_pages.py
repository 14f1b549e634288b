from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pagecache import store


class Command(BaseCommand):
    help = gettext_lazy(
        "让读者的页面在下一次请求时重新生成（例如在 shell 或 SQL 里直接改了数据之后）。"
    )

    def handle(self, *args, **options):
        store.bump()
        if not store.settled():
            raise CommandError(_("缓存不可用，页面缓存未能刷新。"))
        self.stdout.write(_("已刷新：读者的页面将在下一次请求时重新生成。"))
