"""Keeping photos' public copies in step with what readers may see.

A photo has a public file only while it may be shown: a story's photo while
`Story.public_photos()` has it, a program's photo whenever it has an image
(privacy.files does the copying). Whatever decides that marks the photo's
story, or the program photo, due: the photo saved, the people it shows, their
consents, age or deletion, the story's date. Copies are made and deleted once
the saving transaction commits, each story worked out once however many of
its rows the transaction saved."""

from collections.abc import Iterable
from contextvars import ContextVar

from django.db import transaction
from django.db.models import QuerySet
from django.db.models.signals import (
    m2m_changed,
    post_delete,
    post_save,
    pre_delete,
    pre_save,
)
from django.dispatch import receiver

from pagecache import store
from privacy import files
from privacy.models import Consent
from programs.models import ProgramPhoto
from stories.models import Person, Story, StoryPhoto

CHUNK_SIZE = 500

# Story ids and program photo ids due since the last commit.
_due: ContextVar[tuple[set[int], set[int]] | None] = ContextVar(
    "photo_copies_due", default=None
)


def pending() -> tuple[set[int], set[int]]:
    due = _due.get()
    if due is None:
        due = (set(), set())
        _due.set(due)
    return due


def stories_due(ids: Iterable[int | None]) -> None:
    pending()[0].update(pk for pk in ids if pk is not None)
    files.after_commit(keep_copies_in_step)


def program_photos_due(ids: Iterable[int]) -> None:
    pending()[1].update(ids)
    files.after_commit(keep_copies_in_step)


def keep_copies_in_step() -> int:
    """Make or delete the copies of the photos due; how many changed."""
    due = _due.get()
    _due.set(None)
    if due is None:
        return 0
    story_ids, photo_ids = due
    changed = 0
    ids = sorted(story_ids)
    for start in range(0, len(ids), CHUNK_SIZE):
        with_photos = (
            StoryPhoto.objects.filter(story__in=ids[start : start + CHUNK_SIZE])
            .order_by("story")
            .values_list("story", flat=True)
            .distinct()
        )
        for story_id in with_photos:
            changed += keep_story_copies(story_id)
    for photo_id in sorted(photo_ids):
        with transaction.atomic():
            locked = ProgramPhoto.objects.select_for_update().filter(pk=photo_id)
            for photo in locked:
                changed += files.keep_public_copy(photo, photo.source_for_readers())
    if changed:
        # Pages rendered since the change was committed name the old files.
        store.bump_on_commit()
    return changed


def keep_story_copies(story_id: int) -> int:
    """Decided and written while the story's photo rows are locked, and the
    decision read after the lock: of two changes committed at once (a consent
    given, then withdrawn), the later one's decision is the one that stays."""
    with transaction.atomic():
        locked = StoryPhoto.objects.select_for_update().filter(story=story_id)
        if not list(locked.only("pk")):
            return 0
        # The same prefetches as the pages, so the decision is the pages' own.
        story = Story.objects.for_listing().get(pk=story_id)
        shown = {photo.pk for photo in story.public_photos()}
        changed = 0
        for photo in story.photos.all():
            source = photo.source_for_readers() if photo.pk in shown else None
            changed += files.keep_public_copy(photo, source)
        return changed


def keep_every_copy_in_step() -> int:
    """Check every photo: after the files moved, or for a consent that ended
    on its date, which no save reports. How many copies changed."""
    stories, program_photos = pending()
    stories.update(StoryPhoto.objects.values_list("story_id", flat=True))
    program_photos.update(ProgramPhoto.objects.values_list("pk", flat=True))
    return keep_copies_in_step()


def stories_showing(person_ids: Iterable[int]) -> QuerySet:
    return StoryPhoto.objects.filter(people_shown__in=person_ids).values_list(
        "story_id", flat=True
    )


# -- the photos themselves ---------------------------------------------------


@receiver(pre_save, sender=StoryPhoto)
@receiver(pre_save, sender=ProgramPhoto)
def photo_saving(sender, instance, **kwargs):
    instance._copy_before = (
        sender._default_manager.filter(pk=instance.pk)
        .values_list("public_image", flat=True)
        .first()
        if instance.pk
        else None
    )


@receiver(post_save, sender=StoryPhoto)
@receiver(post_save, sender=ProgramPhoto)
def photo_saved(sender, instance, **kwargs):
    """A save from an instance read before its copy changed, or a version
    being restored (versions leave the copy out), wrote other copy fields
    than the row had: that copy starts over, and the one it had goes."""
    before = getattr(instance, "_copy_before", None)
    if before is not None and before != instance.public_image.name:
        storage = instance.public_image.storage
        for name in {before, instance.public_image.name} - {""}:
            files.delete_after_commit(storage, name)
        sender._default_manager.filter(pk=instance.pk).update(
            public_image="",
            public_width=None,
            public_height=None,
            public_image_source="",
        )
        instance.public_image = ""
        instance.public_image_source = ""
    if sender is StoryPhoto:
        stories_due([instance.story_id])
    else:
        program_photos_due([instance.pk])


@receiver(post_delete, sender=StoryPhoto)
@receiver(post_delete, sender=ProgramPhoto)
def photo_deleted(sender, instance, origin=None, **kwargs):
    """A photo deleted on its own takes its files with it. One deleted with
    its story or program keeps its original (private), so that bringing the
    item back from the trash brings the photo back whole; its public copy
    goes either way."""
    alone = isinstance(origin, sender) or (
        isinstance(origin, QuerySet) and origin.model is sender
    )
    files.delete_photo_files(instance, originals=alone)


@receiver(m2m_changed, sender=StoryPhoto.people_shown.through)
def people_shown_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if reverse and action == "pre_clear":
        instance._photo_stories = list(stories_showing([instance.pk]))
    if not action.startswith("post_"):
        return
    if not reverse:
        stories_due([instance.story_id])
    elif action == "post_clear":
        stories_due(instance._photo_stories)
    else:
        stories_due(
            StoryPhoto.objects.filter(pk__in=pk_set).values_list("story_id", flat=True)
        )


# -- what decides whether a story's photo may be shown -----------------------


@receiver(post_save, sender=Story)
def story_saved(sender, instance, **kwargs):
    # Its date decides who counts as a child, whose guardian must consent.
    stories_due([instance.pk])


@receiver(post_save, sender=Person)
def person_saved(sender, instance, **kwargs):
    stories_due(stories_showing([instance.pk]))


@receiver(pre_delete, sender=Person)
def person_deleting(sender, instance, **kwargs):
    instance._photo_stories = list(stories_showing([instance.pk]))


@receiver(post_delete, sender=Person)
def person_deleted(sender, instance, **kwargs):
    stories_due(getattr(instance, "_photo_stories", []))


@receiver(post_save, sender=Consent)
@receiver(post_delete, sender=Consent)
def consent_changed(sender, instance, **kwargs):
    stories_due(stories_showing([instance.person_id]))
