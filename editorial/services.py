"""Writes that carry an item through the newsroom: transitions between states,
restoring old versions, and the audit trail every one of them leaves.

The admin calls these; so may imports and management commands. Each checks
permissions itself, so a forged request is refused even if no button showed it.
"""

import contextvars
from dataclasses import dataclass

import reversion
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from reversion.models import Version

from editorial.models import AuditEntry, ReviewNote
from privacy import services as privacy
from programs.abstract import Publishable
from stories.models import Household, Person, Story

Status = Publishable.Status
Action = AuditEntry.Action


def record(user, action: str, obj, message: str = "") -> AuditEntry:
    """Add one line to the audit trail."""
    return AuditEntry.objects.create(
        user=user if user is not None and user.pk else None,
        username=user.get_username() if user is not None and user.pk else "system",
        action=action,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        message=message,
    )


def perm(obj, action: str) -> str:
    opts = obj._meta
    return f"{opts.app_label}.{action}_{opts.model_name}"


def can_publish(user, obj) -> bool:
    return user.has_perm(perm(obj, "publish"))


def can_edit(user, obj) -> bool:
    """Editors and reviewers edit anything; authors only their own drafts."""
    if user.has_perm(perm(obj, "change_any")):
        return True
    return (
        user.has_perm(perm(obj, "change"))
        and obj.created_by_id == user.pk
        and obj.status == Status.DRAFT
    )


def editable(items: QuerySet, user) -> QuerySet:
    """The items can_edit lets this user edit, as a query."""
    if user.has_perm(perm(items.model, "change_any")):
        return items
    if not user.has_perm(perm(items.model, "change")):
        return items.none()
    return items.filter(created_by=user, status=Status.DRAFT)


def can_change_people(user, people: QuerySet) -> bool:
    """Changing a person changes every story they appear in, and every story
    about their household (a protected child shields the whole household): so
    it needs the right to edit all of those stories. An author changes only
    people in nothing but her own drafts (or in no story yet)."""
    if user.has_perm(perm(Story, "change_any")):
        return True
    stories = Story.objects.all()
    others = stories.exclude(pk__in=editable(stories, user).values("pk"))
    households = people.exclude(household=None).values("household")
    affected = Person.objects.filter(
        Q(pk__in=people.values("pk")) | Q(household__in=households)
    )
    return not affected.concerned_by(others).exists()


def sees_every_real_name(user) -> bool:
    """Reviewers hold the privacy permission; editors edit every story, and
    so read every name in them anyway. Authors see fewer (people_hidden_from)."""
    return user.has_perm("privacy.view_real_names") or user.has_perm(
        perm(Story, "change_any")
    )


def own_stories(user) -> QuerySet:
    # Stories loaded without an author (the demo, imports) are no one's own.
    return Story.objects.filter(created_by__isnull=False, created_by=user.pk)


def people_hidden_from(user) -> QuerySet:
    """People whose real names this user may not see in the admin: people
    some story concerns, but none that she wrote. People in no story yet are
    hers to find and add."""
    if sees_every_real_name(user):
        return Person.objects.none()
    own = Person.objects.concerned_by(own_stories(user))
    return Person.objects.concerned_by(Story.objects.all()).exclude(
        pk__in=own.values("pk")
    )


def households_hidden_from(user) -> QuerySet:
    """Households named after a hidden person (潘蔼章户): those with a member
    hidden from this user and none in her own stories."""
    if sees_every_real_name(user):
        return Household.objects.none()
    own = Person.objects.concerned_by(own_stories(user))
    return Household.objects.filter(
        pk__in=people_hidden_from(user).values("household")
    ).exclude(pk__in=own.exclude(household=None).values("household"))


def can_submit(user, obj) -> bool:
    return can_edit(user, obj) or (
        user.has_perm(perm(obj, "change")) and obj.created_by_id == user.pk
    )


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    source: tuple[str, ...]
    target: str
    action: str
    reviewer_only: bool
    needs_comment: bool = False
    confirm: str = ""

    def allowed(self, user, obj) -> bool:
        if obj.status not in self.source:
            return False
        if self.reviewer_only:
            return can_publish(user, obj)
        return can_submit(user, obj)


TRANSITIONS = {
    t.name: t
    for t in [
        Transition(
            "submit",
            _("提交审核"),
            (Status.DRAFT,),
            Status.REVIEW,
            Action.SUBMIT,
            False,
            confirm=_("提交后由审核人员决定发布或退回；提交期间作者不能再修改。"),
        ),
        Transition(
            "withdraw",
            _("撤回审核"),
            (Status.REVIEW,),
            Status.DRAFT,
            Action.WITHDRAW,
            False,
            confirm=_("撤回后回到草稿，可以继续修改，再重新提交。"),
        ),
        Transition(
            "send_back",
            _("退回修改"),
            (Status.REVIEW,),
            Status.DRAFT,
            Action.SEND_BACK,
            True,
            needs_comment=True,
            confirm=_("退回后回到草稿，作者会在编辑页面看到你的意见。"),
        ),
        Transition(
            "publish",
            _("发布"),
            (Status.DRAFT, Status.REVIEW),
            Status.PUBLISHED,
            Action.PUBLISH,
            True,
            confirm=_("发布后，到了上线时间读者就能看到（未填上线时间则立即上线）。"),
        ),
        Transition(
            "unpublish",
            _("撤下"),
            (Status.PUBLISHED,),
            Status.DRAFT,
            Action.UNPUBLISH,
            True,
            confirm=_("撤下后读者立即看不到，内容回到草稿。"),
        ),
        Transition(
            "archive",
            _("归档"),
            (Status.PUBLISHED,),
            Status.ARCHIVED,
            Action.ARCHIVE,
            True,
            confirm=_("归档后读者看不到，内容保留在后台，可随时恢复为草稿。"),
        ),
        Transition(
            "redraft",
            _("恢复为草稿"),
            (Status.ARCHIVED,),
            Status.DRAFT,
            Action.REDRAFT,
            True,
            confirm=_("恢复为草稿后可以修改，再走审核发布流程。"),
        ),
    ]
}


def available_transitions(user, obj) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if t.allowed(user, obj)]


def apply_transition(*, obj, name: str, user, comment: str = "") -> Publishable:
    """Move `obj` along one transition, or refuse with PermissionDenied or
    ValidationError. Locks the row, so two reviewers cannot both act on a stale
    status."""
    transition = TRANSITIONS.get(name)
    if transition is None:
        raise PermissionDenied(_("没有这个操作。"))
    comment = comment.strip()
    if transition.needs_comment and not comment:
        raise ValidationError(_("退回时请写明需要修改什么。"))
    model = type(obj)
    with transaction.atomic(), reversion.create_revision():
        obj = model.objects.select_for_update().get(pk=obj.pk)
        if not transition.allowed(user, obj):
            raise PermissionDenied(
                _("你不能对“%(status)s”状态的内容执行“%(action)s”。")
                % {"status": obj.get_status_display(), "action": transition.label}
            )
        publishing = transition.target == Status.PUBLISHED
        if publishing:
            problems = privacy.publication_problems(obj)
        elif transition.target == Status.REVIEW:
            problems = privacy.submission_problems(obj)
        else:
            problems = []
        if problems:
            raise ValidationError(problems)
        obj.status = transition.target
        if publishing:
            obj.published_at = obj.published_at or timezone.now()
            privacy.mark_reviewed(obj)
        obj.full_clean()
        obj.save()
        if publishing:
            privacy.record_publication(obj, user)
        reversion.set_user(user)
        reversion.set_comment(
            str(transition.label) + (f"：{comment}" if comment else "")
        )
        if transition.needs_comment:
            ReviewNote.objects.create(
                item=obj, author=user, author_name=user.get_username(), text=comment
            )
        record(user, transition.action, obj, comment)
    return obj


def versions_of(obj):
    """Saved versions of an item, newest first."""
    return Version.objects.get_for_object(obj).select_related("revision__user")


def restore_version(*, obj, version: Version, user) -> Publishable:
    """Bring back an old version, inlines included, as a new draft.

    It goes back to draft (and off the public site) so that no unreviewed text
    reaches readers; the version being replaced stays in the history.
    """
    if not can_edit(user, obj):
        raise PermissionDenied
    if version.object_id != str(
        obj.pk
    ) or version.content_type.model_class() is not type(obj):
        raise PermissionDenied
    model = type(obj)
    with transaction.atomic(), reversion.create_revision():
        current = model.objects.select_for_update().get(pk=obj.pk)
        # Make sure the version being replaced is in the history, even if the
        # item was created outside the admin (an import, the demo loader).
        if not versions_of(current).exists():
            reversion.add_to_revision(current)
        version.revision.revert(delete=True)
        restored = model.objects.get(pk=obj.pk)
        # Reverting writes the old lock_version back; keep counting up from the
        # current one so that forms opened before the restore are refused.
        restored.lock_version = current.lock_version
        restored.status = Status.DRAFT
        restored.save()
        when = timezone.localtime(version.revision.date_created).strftime(
            "%Y-%m-%d %H:%M"
        )
        message = str(_("从 %(when)s 的版本恢复为草稿")) % {"when": when}
        reversion.set_user(user)
        reversion.set_comment(message)
        record(user, Action.RESTORE, restored, message)
    return restored


def snapshot_before_delete(obj, user) -> None:
    """Save the item (and its inlines) as a version, so the trash can bring it back.

    The version is saved at once, in a revision of its own. Inside a revision
    that is already open (the admin opens one around its list page, where bulk
    deletes run) it would be saved only when that one closes, after the item is
    gone, and reversion leaves out versions of items that no longer exist.
    Reversion keeps its open revisions in a context variable: a fresh context
    has none."""
    contextvars.Context().run(_save_snapshot, obj, user)
    record(user, Action.DELETE, obj)


def _save_snapshot(obj, user) -> None:
    with reversion.create_revision():
        reversion.add_to_revision(obj)
        reversion.set_user(user)
        reversion.set_comment(str(_("删除前的版本")))


def snapshot_before_import(model, pk, user) -> None:
    """Keep an item's state before an import changes it, if no version has kept
    it yet (it was created by an earlier import or the demo loader), so that
    the import can be undone from the item's history."""
    current = model.objects.filter(pk=pk).first()
    if current is None or versions_of(current).exists():
        return
    contextvars.Context().run(_save_revision, current, user, str(_("导入前的版本")))


def _save_revision(obj, user, comment: str) -> None:
    with reversion.create_revision():
        reversion.add_to_revision(obj)
        if user is not None and user.pk:
            reversion.set_user(user)
        reversion.set_comment(comment)
