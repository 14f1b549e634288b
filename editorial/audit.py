"""What the editorial app gives `manage.py privacy_audit` (privacy.audit):
checks that staff roles keep to what the privacy rules allow them."""

from collections.abc import Iterator

from django.contrib.auth.models import Group
from django.utils.translation import gettext as _

from editorial.models import AuditEntry
from editorial.services import perm
from privacy.audit import Finding


def staff_roles() -> Iterator[Finding]:
    """Consent scans only for those who edit everyone's stories; preview links
    shared only by someone who could edit the item."""
    for group in Group.objects.filter(permissions__codename="view_consent"):
        if not group.permissions.filter(codename="change_any_story").exists():
            yield Finding(
                _("用户组“%(g)s”") % {"g": group.name},
                _("只能修改自己草稿的用户组可以下载同意书扫描件"),
            )
    shared = AuditEntry.objects.filter(
        action=AuditEntry.Action.SHARE_PREVIEW
    ).select_related("user", "content_type")
    for entry in shared:
        model = entry.content_type and entry.content_type.model_class()
        item = model and model._default_manager.filter(pk=entry.object_id).first()
        user = entry.user
        if item is None or user is None:
            continue
        own = getattr(item, "created_by_id", None) == user.pk
        if not (own or user.has_perm(perm(item, "change_any"))):
            yield Finding(
                _("操作记录 %(pk)s") % {"pk": entry.pk},
                _("%(user)s为别人的“%(item)s”生成了分享预览链接")
                % {"user": entry.username, "item": entry.object_repr},
            )
