from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

# One account per editorial role, for trying the admin locally. The passwords are
# public, so the command refuses to run with DEBUG off.
DEMO_USERS = [
    ("editor", ["编辑"], "demo-editor-2019"),
    ("author", ["作者"], "demo-author-2019"),
    ("reviewer", ["审核"], "demo-reviewer-2019"),
    # Importing is a right of its own, on top of editing.
    ("importer", ["编辑", "导入"], "demo-importer-2019"),
]


class Command(BaseCommand):
    help = _("创建演示用的编辑、作者和审核账号（仅限开发环境）。")

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                _("演示账号的密码是公开的，只能在 DJANGO_DEBUG=1 时创建。")
            )
        User = get_user_model()
        for username, group_names, password in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username, defaults={"is_staff": True}
            )
            if created or not user.check_password(password):
                user.set_password(password)
            user.is_staff = True
            user.save()
            user.groups.set(Group.objects.filter(name__in=group_names))
        self.stdout.write(_("演示账号（登录 /admin/）："))
        for username, group_names, password in DEMO_USERS:
            groups = "+".join(group_names)
            self.stdout.write(
                f"  {groups}  {_('用户名')}: {username}  {_('密码')}: {password}"
            )
