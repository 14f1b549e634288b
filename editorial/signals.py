"""Changes to people, households and consents recheck the live stories that
concern them (editorial.consents), whatever made the change: the admin, an
import, a command."""

from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from editorial.consents import people_changed
from privacy.models import Consent
from stories.models import Household, Person


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
