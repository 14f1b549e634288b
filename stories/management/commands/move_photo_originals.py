"""Move photo originals uploaded before they were kept private.

The old layout stored originals and blurred versions in the public folder
under their upload names (MEDIA_ROOT/photos/2019/11/潘长君.jpg), where the web
server served them. This copies each into private storage under a random
name, points the rows and their saved versions (history, trash) at the new
name, deletes the public file, then makes the public copies readers may see.

Idempotent: a second run finds nothing to move and no copy to change. Safe to
run again after a failure: the database changes in one transaction, the
public files are deleted only once it has committed."""

import json

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _
from reversion.models import Version

from privacy import files
from stories import signals


def referenced_names() -> set[str]:
    return {
        name
        for model, fields in files.photo_models()
        for field in fields
        for name in model._default_manager.exclude(**{field.name: ""}).values_list(
            field.name, flat=True
        )
    }


def rename_rows(renamed: dict[str, str]) -> int:
    count = 0
    for model, fields in files.photo_models():
        for field in fields:
            for old, new in renamed.items():
                count += model._default_manager.filter(**{field.name: old}).update(
                    **{field.name: new}
                )
    return count


def rename_in_versions(renamed: dict[str, str]) -> int:
    """Saved versions name the files too: restoring one, or bringing a story
    back from the trash, must find its photos."""
    count = 0
    for model, fields in files.photo_models():
        versions = Version.objects.get_for_model(model).filter(format="json")
        for pk, serialized in versions.values_list("pk", "serialized_data"):
            data = json.loads(serialized)
            changed = False
            for item in data:
                for field in fields:
                    if item["fields"].get(field.name) in renamed:
                        item["fields"][field.name] = renamed[item["fields"][field.name]]
                        changed = True
            if changed:
                Version.objects.filter(pk=pk).update(
                    serialized_data=json.dumps(data, ensure_ascii=False)
                )
                count += 1
    return count


class Command(BaseCommand):
    help = _(
        "把旧版放在公开文件夹里的图片原图和打码图移到私有存储，改用随机文件名，"
        "再为读者可以看到的图片生成公开副本。可以重复运行。"
    )

    def handle(self, *args, **options):
        public = default_storage
        private = files.private_photo_storage()
        referenced = referenced_names()
        to_move = set(files.old_originals(public)) | {
            name
            for name in referenced
            if not private.exists(name) and public.exists(name)
        }
        missing = sorted(
            name
            for name in referenced - to_move
            if not private.exists(name) and not public.exists(name)
        )
        renamed: dict[str, str] = {}
        try:
            for name in sorted(to_move):
                renamed[name] = files.copy_to_private(public, private, name)
            with transaction.atomic():
                rows = rename_rows(renamed)
                versions = rename_in_versions(renamed)
        except BaseException:
            for new in renamed.values():
                private.delete(new)
            raise
        for name in renamed:
            public.delete(name)
        files.remove_empty_folders(public, files.PRIVATE_FOLDER)
        copies = signals.keep_every_copy_in_step()

        for name in missing:
            self.stderr.write(
                _("找不到图片文件“%(name)s”：公开和私有存储里都没有。") % {"name": name}
            )
        if not renamed and not copies:
            self.stdout.write(_("没有需要移动的图片，公开副本都是最新的。"))
            return
        self.stdout.write(
            _(
                "移到私有存储的文件：%(files)d 个（改了 %(rows)d 行记录、"
                "%(versions)d 个历史版本）；新建或删除的公开副本：%(copies)d 个。"
            )
            % {
                "files": len(renamed),
                "rows": rows,
                "versions": versions,
                "copies": copies,
            }
        )
