"""Keeping the search index current.

Whatever changes what readers see of a story or program marks its entry due
(search.indexing.mark_due): the item itself, its many-to-many links and inline
rows, a program or cause it shows, a region it lies in, and the people and
consents that decide which names are protected. Saves through the admin, the
spreadsheet import and `load_demo` all come through here."""

from contextvars import ContextVar

from django.db.models import Q
from django.db.models.signals import (
    m2m_changed,
    post_delete,
    post_migrate,
    post_save,
    pre_delete,
    pre_save,
)
from django.dispatch import receiver

from privacy.models import Consent
from programs.models import Figure, Program, ProgramPhoto, Region
from search import indexing
from search.terms import dictionary, fragments
from stories.models import (
    Assistance,
    Cause,
    Outcome,
    Person,
    Story,
    StoryPerson,
    StoryPhoto,
)

# Items being deleted: their inline rows' deletions must not re-create the
# entry the deletion is removing.
_deleting: ContextVar[frozenset] = ContextVar("search_deleting", default=frozenset())


def mark_stories(stories) -> None:
    indexing.mark_due(stories=stories.exclude(pk__in=_ids(Story)))


def mark_programs(programs) -> None:
    indexing.mark_due(programs=programs.exclude(pk__in=_ids(Program)))


def _ids(model) -> list[int]:
    return [pk for kind, pk in _deleting.get() if kind is model]


def containing(model, fields: list[str], words: list[str]):
    """Items whose text contains any of the words."""
    condition = Q()
    for word in filter(None, words):
        for field in fields:
            condition |= Q(**{f"{field}__contains": word})
    return model.objects.filter(condition) if condition else model.objects.none()


STORY_TEXT = ["title", "dek", "body", "outcome"]
# Every text of a program its search entry holds that could name someone.
PROGRAM_TEXT = [
    "title",
    "summary",
    "body",
    "lead_organisation",
    "photos__caption",
    "figures__indicator",
]


def new_words(names: list[str]) -> None:
    """A name the dictionary did not have changes how texts containing it are
    cut, so those are cut again."""
    words = [w for name in names for w in fragments(name) if not dictionary.knew(w)]
    dictionary.invalidate()
    mark_stories(containing(Story, STORY_TEXT, words))
    mark_programs(containing(Program, PROGRAM_TEXT, words))


def changed(instance, fields: list[str]) -> bool:
    old = getattr(instance, "_search_before", None)
    return old is None or any(old[f] != getattr(instance, f) for f in fields)


def remember(sender, instance, fields: list[str]) -> None:
    """Keep the stored values of some fields, to tell in post_save what changed."""
    old = sender.objects.filter(pk=instance.pk).values(*fields).first()
    instance._search_before = old


# -- stories and their lines -------------------------------------------------


@receiver(post_save, sender=Story)
def story_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        mark_stories(Story.objects.filter(pk=instance.pk))


@receiver(m2m_changed, sender=Story.programs.through)
@receiver(m2m_changed, sender=Story.causes.through)
def story_links_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if reverse and action == "pre_clear":
        instance._search_cleared = list(instance.stories.values_list("pk", flat=True))
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        mark_stories(Story.objects.filter(pk=instance.pk))
    else:
        ids = pk_set if action != "post_clear" else instance._search_cleared
        mark_stories(Story.objects.filter(pk__in=ids or []))


@receiver(post_save, sender=StoryPerson)
@receiver(post_delete, sender=StoryPerson)
@receiver(post_save, sender=Assistance)
@receiver(post_delete, sender=Assistance)
@receiver(post_save, sender=Outcome)
@receiver(post_delete, sender=Outcome)
@receiver(post_save, sender=StoryPhoto)
@receiver(post_delete, sender=StoryPhoto)
def story_line_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        mark_stories(Story.objects.filter(pk=instance.story_id))


@receiver(m2m_changed, sender=StoryPhoto.people_shown.through)
def photo_people_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """Who a photo shows decides whether readers see it (and its caption)."""
    if reverse and action == "pre_clear":
        instance._search_cleared = list(instance.photos.values_list("pk", flat=True))
    if not action.startswith("post_"):
        return
    if not reverse:
        mark_stories(Story.objects.filter(pk=instance.story_id))
    else:
        photos = pk_set if action != "post_clear" else instance._search_cleared
        mark_stories(Story.objects.filter(photos__in=photos or []))


# -- programs, causes and regions that stories show ----------------------------

PROGRAM_SHOWN_IN_STORIES = ["title", "category", "status", "published_at", "expires_at"]


@receiver(pre_save, sender=Program)
def program_saving(sender, instance, raw=False, **kwargs):
    if not raw:
        remember(sender, instance, PROGRAM_SHOWN_IN_STORIES)


@receiver(post_save, sender=Program)
def program_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    mark_programs(Program.objects.filter(pk=instance.pk))
    if changed(instance, ["title"]):
        new_words([instance.title])
    if changed(instance, PROGRAM_SHOWN_IN_STORIES):
        mark_stories(instance.stories.all())


@receiver(post_save, sender=Figure)
@receiver(post_delete, sender=Figure)
@receiver(post_save, sender=ProgramPhoto)
@receiver(post_delete, sender=ProgramPhoto)
def program_line_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        mark_programs(Program.objects.filter(pk=instance.program_id))


@receiver(pre_save, sender=Cause)
def cause_saving(sender, instance, raw=False, **kwargs):
    if not raw:
        remember(sender, instance, ["name"])


@receiver(post_save, sender=Cause)
def cause_saved(sender, instance, raw=False, **kwargs):
    if not raw and changed(instance, ["name"]):
        new_words([instance.name])
        mark_stories(instance.stories.all())


@receiver(pre_save, sender=Region)
def region_saving(sender, instance, raw=False, **kwargs):
    if not raw:
        remember(sender, instance, ["name", "parent_id"])


@receiver(post_save, sender=Region)
def region_saved(sender, instance, raw=False, **kwargs):
    """Stories and programs carry the names of their region and every region
    above it."""
    if raw or not changed(instance, ["name", "parent_id"]):
        return
    new_words([instance.name])
    area = instance.descendant_ids()
    mark_stories(Story.objects.filter(region__in=area))
    mark_programs(Program.objects.filter(region__in=area))


# -- people and consents: which names are protected --------------------------


@receiver(pre_save, sender=Person)
def person_saving(sender, instance, raw=False, **kwargs):
    if not raw:
        remember(sender, instance, ["household_id"])


def people_changed(people: list[Person], households: set[int | None]) -> None:
    """A person's name, policy, age, household or consents decide what the
    stories of everyone in the household, and program texts naming them, show."""
    households.discard(None)
    mark_stories(Story.objects.concerning([p.pk for p in people if p.pk], households))
    names = [n for p in people for n in (p.real_name, p.real_name[1:]) if len(n) > 1]
    mark_programs(containing(Program, PROGRAM_TEXT, names))


@receiver(post_save, sender=Person)
def person_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    before = getattr(instance, "_search_before", None) or {}
    people_changed([instance], {instance.household_id, before.get("household_id")})


@receiver(post_delete, sender=Person)
def person_deleted(sender, instance, **kwargs):
    _deleting.set(_deleting.get() - {(sender, instance.pk)})
    people_changed([instance], {instance.household_id})


@receiver(post_save, sender=Consent)
@receiver(post_delete, sender=Consent)
def consent_changed(sender, instance, raw=False, **kwargs):
    if raw or instance.person_id in _ids(Person):
        return
    person = Person.objects.filter(pk=instance.person_id).first()
    if person is not None:
        people_changed([person], {person.household_id})


# -- deletions ---------------------------------------------------------------


@receiver(pre_delete, sender=Story)
@receiver(pre_delete, sender=Program)
@receiver(pre_delete, sender=Person)
def item_deleting(sender, instance, **kwargs):
    _deleting.set(_deleting.get() | {(sender, instance.pk)})
    if sender is Program:
        instance._search_stories = list(instance.stories.values_list("pk", flat=True))


@receiver(post_delete, sender=Story)
@receiver(post_delete, sender=Program)
def item_deleted(sender, instance, **kwargs):
    # The entry went with the item (on_delete=CASCADE); a program's stories
    # no longer show its title.
    _deleting.set(_deleting.get() - {(sender, instance.pk)})
    if sender is Program:
        mark_stories(Story.objects.filter(pk__in=instance._search_stories))
        dictionary.invalidate()


@receiver(pre_delete, sender=Cause)
def cause_deleting(sender, instance, **kwargs):
    instance._search_stories = list(instance.stories.values_list("pk", flat=True))


@receiver(post_delete, sender=Cause)
def cause_deleted(sender, instance, **kwargs):
    dictionary.invalidate()
    mark_stories(Story.objects.filter(pk__in=instance._search_stories))


@receiver(post_delete, sender=Region)
def region_deleted(sender, instance, **kwargs):
    dictionary.invalidate()


# -- after migrate -----------------------------------------------------------


@receiver(post_migrate)
def index_missing(sender, app_config, using="default", **kwargs):
    """Fill the index for items saved before it existed (the migration that
    creates it, or a database restored from a dump). Only once per migrate."""
    if app_config.label != "search":
        return
    stories = Story.objects.using(using).filter(search_entry__isnull=True)
    programs = Program.objects.using(using).filter(search_entry__isnull=True)
    if using == "default" and (stories.exists() or programs.exists()):
        indexing.index_stories(stories)
        indexing.index_programs(programs)
