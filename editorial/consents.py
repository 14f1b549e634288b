"""Live stories when the people and consents behind them change.

A reviewer published a story as readers then saw it (`Story.reviewed_people`).
Whenever a person, a household or a consent changes, every published story
concerning them is compared with that once the change commits:

- a consent that covers less than it did (withdrawn, or a scope removed) takes
  the story down at once, back to 待审核 with the reason: its prose may hold
  facts the person no longer allows, and only an editor can rewrite prose;
- anything that would show readers more than the reviewer approved (a name
  unmasked, a protected name changed, a consent covering more) takes it down
  too, unless a reviewer made the change (`approving`);
- otherwise the day its consents stop holding is brought up to date, and the
  story leaves every public output that day with no one saving anything
  (`StoryQuerySet.published`); `return_lapsed` records it as taken down.
"""

import contextlib
from contextvars import ContextVar

import reversion
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from editorial.models import AuditEntry, ReviewNote
from editorial.services import record
from privacy.rules import changes_since_review, consents_end, reviewed_form
from programs.abstract import Publishable
from stories.models import Story

Status = Publishable.Status

_approver: ContextVar = ContextVar("reviewer_approving", default=None)


@contextlib.contextmanager
def approving(user):
    """Changes made inside are approved by `user` if they may publish stories:
    what they show readers becomes what was reviewed."""
    allowed = user if user.has_perm("stories.publish_story") else None
    token = _approver.set(allowed)
    try:
        yield
    finally:
        _approver.reset(token)


def shows_more(people=(), households=()) -> list[str]:
    """What a change not yet committed would show readers beyond what reviewers
    approved, on published stories concerning these people or households."""
    stories = (
        Story.objects.filter(status=Status.PUBLISHED)
        .concerning([p for p in people if p], [h for h in households if h])
        .with_people()
    )
    more = []
    for story in stories:
        _less, shown = changes_since_review(
            story.reviewed_people, story.disclosures, story.people_by_id()
        )
        more += [f"《{story.title}》：{change}" for change in shown]
    return more


def people_changed(people=(), households=()) -> None:
    """Recheck, once the change commits, the published stories that concern
    these people (ids) or anyone in these households (ids)."""
    ids = set(
        Story.objects.filter(status=Status.PUBLISHED)
        .concerning([p for p in people if p], [h for h in households if h])
        .values_list("pk", flat=True)
    )
    if ids:
        Recheck.after_commit(ids, _approver.get())


class Recheck:
    """The stories one transaction changed, each with the reviewer who made
    every change to it (None if anyone else made one): one callback per
    transaction, dropped with it if it rolls back."""

    def __init__(self):
        self.stories: dict[int, object] = {}

    @classmethod
    def after_commit(cls, ids, approver) -> None:
        connection = transaction.get_connection()
        registered = [
            func
            for _savepoints, func, _robust in connection.run_on_commit
            if isinstance(func, cls)
        ]
        new = not (registered and connection.in_atomic_block)
        pending = cls() if new else registered[0]
        for pk in ids:
            by = pending.stories.get(pk, approver)
            pending.stories[pk] = approver if by == approver else None
        if new:  # outside a transaction, on_commit runs it at once
            transaction.on_commit(pending, robust=True)

    def __call__(self) -> None:
        for approver in set(self.stories.values()):
            ids = [pk for pk, by in self.stories.items() if by == approver]
            recheck(Story.objects.filter(pk__in=ids), approver)


def recheck(stories, approver=None) -> list[Story]:
    """Compare each published story with what was reviewed; returns those
    taken down. What `approver` (a reviewer) changed is approved."""
    taken_down = []
    for story in stories.filter(status=Status.PUBLISHED).with_people():
        less, more = changes_since_review(
            story.reviewed_people, story.disclosures, story.people_by_id()
        )
        if less or (more and approver is None):
            take_down(story, less + more)
            taken_down.append(story)
            continue
        reviewed = reviewed_form(story.disclosures) if more else story.reviewed_people
        ends = consents_end(story.everyone(), story_date=story.story_date)
        if (reviewed, ends) != (story.reviewed_people, story.consents_end_on):
            Story.objects.filter(pk=story.pk).update(
                reviewed_people=reviewed, consents_end_on=ends
            )
    return taken_down


def take_down(story: Story, reasons: list[str]) -> None:
    """Back to 待审核, with the reasons for the reviewers, in the trail."""
    text = _("发布所依据的人物信息变了，故事已自动下线，等待审核：") + "；".join(
        reasons
    )
    with transaction.atomic(), reversion.create_revision():
        story = Story.objects.select_for_update().get(pk=story.pk)
        if story.status != Status.PUBLISHED:
            return
        story.status = Status.REVIEW
        story.consents_end_on = None
        story.save()
        reversion.set_comment(text)
        ReviewNote.objects.create(
            item=story,
            author=None,
            author_name=_("系统"),
            kind=ReviewNote.Kind.TAKEN_DOWN,
            text=text,
        )
        record(None, AuditEntry.Action.TAKE_DOWN, story, text)


def return_lapsed() -> int:
    """Stories whose consents ended on a set day left readers that day; here
    they are recorded as taken down (called when staff open the admin)."""
    lapsed = list(Story.objects.lapsed())
    for story in lapsed:
        day = story.consents_end_on or timezone.localdate()
        take_down(
            story,
            [_("%(day)s 起，发布所依据的同意不再有效") % {"day": f"{day:%Y-%m-%d}"}],
        )
    return len(lapsed)
