"""What editorial keeps watch over in the domain apps, whatever made the
change (the admin, an import, a command):

- changes to people, households and consents recheck the live stories that
  concern them (editorial.consents);
- the audit trail of people, households and consents is read from the admin's
  own log: their admins belong to domain apps (stories, privacy) that know
  nothing of the trail, and every save or deletion through any admin writes a
  LogEntry, inline changes included in their parent's message."""

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from editorial.consents import people_changed
from editorial.models import AuditEntry
from editorial.services import snapshot_before_delete
from privacy.models import Consent
from stories.models import Household, Person

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


@receiver(pre_save, sender=Person)
def person_saving(sender, instance, raw=False, **kwargs):
    if not raw and instance.pk:
        instance._household_before = (
            Person.objects.filter(pk=instance.pk)
            .values_list("household_id", flat=True)
            .first()
        )


@receiver(post_save, sender=Person)
def person_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        before = getattr(instance, "_household_before", None)
        people_changed([instance.pk], [instance.household_id, before])


@receiver(post_save, sender=Consent)
@receiver(post_delete, sender=Consent)
def consent_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        people_changed([instance.person_id])


@receiver(pre_delete, sender=Household)
def household_deleting(sender, instance, **kwargs):
    # Its members lose it by an UPDATE, which sends no signal of its own.
    people_changed(list(instance.members.values_list("pk", flat=True)), [instance.pk])
