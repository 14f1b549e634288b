"""A changed slug leaves the old addresses answering 301 to the new ones, so
that shared links and printed QR codes keep working.

The redirects are Django's own (django.contrib.redirects), answered by its
middleware when an address finds nothing: an item that takes an old slug
later is found first. They are made whenever a slug changes, whatever saved
it: the admin, an import, a restored version (reversion's raw save too)."""

from django.conf import settings
from django.contrib.redirects.models import Redirect
from django.contrib.sites.models import Site
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import translation

from programs.models import Program
from stories.models import Story

# Every address that carries an item's slug: its page, its QR code, and a
# program's brief and figures downloads.
ADDRESSES = {
    Story: ("stories:detail", "stories:qr"),
    Program: (
        "programs:detail",
        "programs:brief",
        "programs:qr",
        "programs:figures_csv",
        "programs:figures_json",
    ),
}


def addresses(model: type[Story | Program], slug: str) -> list[str]:
    """The item's addresses in each interface language (/stories/…, /en/stories/…)."""
    paths = []
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            paths += [reverse(name, kwargs={"slug": slug}) for name in ADDRESSES[model]]
    return paths


def move_addresses(model: type[Story | Program], old: str, new: str) -> None:
    """The old addresses answer 301 to the new ones. Redirects that led to the
    old ones now lead straight to the new ones (a→b, b→c: a goes to c), and
    none leaves from the new ones, which are the item's own (b→a after a→b
    would otherwise loop)."""
    site = Site.objects.get_current()
    moves = dict(zip(addresses(model, old), addresses(model, new), strict=True))
    redirects = Redirect.objects.filter(site=site)
    redirects.filter(old_path__in=moves.values()).delete()
    for old_path, new_path in moves.items():
        redirects.filter(new_path=old_path).update(new_path=new_path)
        Redirect.objects.update_or_create(
            site=site, old_path=old_path, defaults={"new_path": new_path}
        )


@receiver(pre_save, sender=Story)
@receiver(pre_save, sender=Program)
def slug_saving(sender, instance, **kwargs) -> None:
    instance._slug_before = (
        sender._default_manager.filter(pk=instance.pk)
        .values_list("slug", flat=True)
        .first()
        if instance.pk
        else None
    )


@receiver(post_save, sender=Story)
@receiver(post_save, sender=Program)
def slug_saved(sender, instance, **kwargs) -> None:
    before = getattr(instance, "_slug_before", None)
    if before and instance.slug and before != instance.slug:
        move_addresses(sender, before, instance.slug)
