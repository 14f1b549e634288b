"""Check every photo's public copy against what readers may see today.

Saves keep the copies in step (stories/signals.py). A consent that ends on
a date set in advance does so without a save: pages stop showing the photo
that day, as they decide per request, but its public file stays until this
runs. Run it daily, just after midnight. It also deletes public copies no
photo refers to (left by a save that failed halfway), once an hour old."""

import datetime

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from privacy import files
from stories import signals
from stories.models import StoryPhoto


class Command(BaseCommand):
    help = _("按今天有效的同意检查每张图片的公开副本：该有的生成，不该有的删除。")

    def handle(self, *args, **options):
        copies = signals.keep_every_copy_in_step()
        storage = StoryPhoto._meta.get_field("public_image").storage
        strays = files.stray_public_copies(storage, datetime.timedelta(hours=1))
        for name in strays:
            storage.delete(name)
        self.stdout.write(
            _("新建或删除的公开副本：%(copies)d 个；删除的无主文件：%(strays)d 个。")
            % {"copies": copies, "strays": len(strays)}
        )
