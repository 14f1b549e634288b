"""The audit trail of people, households and consents, read from the admin's
own log: their admins belong to domain apps (stories, privacy) that know
nothing of the trail, and every save or deletion through any admin writes a
LogEntry, inline changes included in their parent's message."""

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_save
from django.dispatch import receiver

from editorial.models import AuditEntry
from editorial.services import snapshot_before_delete

AUDITED = {("stories", "person"), ("stories", "household"), ("privacy", "consent")}
ACTIONS = {
    ADDITION: AuditEntry.Action.CREATE,
    CHANGE: AuditEntry.Action.EDIT,
    DELETION: AuditEntry.Action.DELETE,
}


@receiver(post_save, sender=LogEntry)
def audit_admin_log(sender, instance: LogEntry, created: bool, **kwargs) -> None:
    if not created or kwargs.get("raw"):
        return
    content_type = ContentType.objects.get_for_id(instance.content_type_id)
    if (content_type.app_label, content_type.model) not in AUDITED:
        return
    if instance.action_flag == DELETION:
        # Logged before the deletion: the item is still there to be kept as
        # a version, which the trash can recover.
        model = content_type.model_class()
        obj = model._default_manager.filter(pk=instance.object_id).first()
        if obj is not None:
            snapshot_before_delete(obj, instance.user)
            return
    AuditEntry.objects.create(
        user=instance.user,
        username=instance.user.get_username(),
        action=ACTIONS[instance.action_flag],
        content_type=content_type,
        object_id=instance.object_id,
        object_repr=instance.object_repr,
        message=instance.get_change_message(),
    )
