"""What publishing asks of privacy: whether an item may go out, and the records
it leaves. editorial.services calls these for every submission and publication."""

from django.utils import timezone
from django.utils.translation import gettext as _

from privacy.addresses import slug_errors
from privacy.models import ImpactAssessment, Scope
from privacy.rules import (
    ProtectedNames,
    consents_end,
    consents_in_force,
    reviewed_form,
    site_name_replacements,
)
from privacy.spellings import Spelling, might_hide_a_name


def names_protected_in(item) -> ProtectedNames:
    """A story protects its own people's names; a program, everyone's."""
    if hasattr(item, "disclosures"):
        return item.name_replacements
    return site_name_replacements()


def describe(spelling: Spelling) -> str:
    return _(
        "“%(found)s”是%(name)s名字的写法（%(kind)s），"
        "无法替换为读者可以看到的称呼：请改写这段文字，"
        "人名用汉字写（页面会按同意情况显示）或者不写"
    ) % {"found": spelling.found, "name": spelling.name, "kind": spelling.kind}


def spelling_problems(item) -> list[str]:
    """Each protected name written in the item's texts in a form that cannot be
    replaced for readers (pinyin, initials, split characters), by field."""
    names = names_protected_in(item)
    # The address spells no one's name, protected or not (privacy.addresses).
    if hasattr(item, "disclosures"):
        everyone = [person.real_name for person in item.everyone()]
    else:
        everyone = list(names.full_names)
    problems = slug_errors(item.slug, title=item.title, names=everyone)
    for where, text in item.public_texts():
        if text == item.slug:
            continue
        for spelling in names.unsafe_spellings(text):
            problem = _("%(where)s里的%(problem)s") % {
                "where": where,
                "problem": describe(spelling),
            }
            if problem not in problems:
                problems.append(problem)
    return problems


def spelling_errors(obj, fields, names) -> dict[str, list[str]]:
    """Field errors where text is written (a form, an import row): the fields
    of `obj` that spell a protected name in a form the page cannot replace.
    `names` is a function giving the ProtectedNames, called only for text that
    could hide one (Latin letters, traditional characters)."""
    errors = {}
    for name in fields:
        text = getattr(obj, name) or ""
        if might_hide_a_name(text):
            found = {describe(s): None for s in names().unsafe_spellings(text)}
            if found:
                errors[name] = list(found)
    return errors


def consent_problems(story) -> list[str]:
    """Details a story shows whose people have not consented to them, and
    photos still waiting for their blurred version."""
    problems = []
    for label, missing in story.detail_checks:
        for person, scope in missing:
            problems.append(
                _("%(person)s 缺少“%(scope)s”的同意（%(detail)s）")
                % {
                    "person": person.real_name,
                    "scope": Scope(scope).label,
                    "detail": label,
                }
            )
    for photo in story.photos.all():
        if photo.must_blur_faces and not photo.blurred_image:
            problems.append(
                _("图片“%(caption)s”标记为必须给人脸打码，但还没有上传打码后的版本")
                % {"caption": photo.caption[:20]}
            )
    return problems


def submission_problems(item) -> list[str]:
    """Why an item may not be submitted for review yet."""
    return spelling_problems(item)


def publication_problems(item) -> list[str]:
    """Why an item may not be published yet, for the editor to fix."""
    problems = consent_problems(item) if hasattr(item, "detail_checks") else []
    return problems + spelling_problems(item)


def mark_reviewed(item) -> None:
    """Before a published item is saved: what the reviewer approved readers
    would see of each person, and the day the consents behind it stop holding
    (if one is set). editorial.consents compares later changes with these."""
    if hasattr(item, "disclosures"):
        item.reviewed_people = reviewed_form(item.disclosures)
        item.consents_end_on = consents_end(item.everyone(), story_date=item.story_date)


def mark_live_as_reviewed(stories) -> int:
    """Published stories no reviewer approved through the workflow (loaded by
    load_demo, or published before approvals were kept): what readers see of
    them now becomes what was reviewed. Returns how many were marked."""
    marked = 0
    for story in stories.filter(reviewed_people={}).with_people():
        mark_reviewed(story)
        if story.reviewed_people:
            type(story).objects.filter(pk=story.pk).update(
                reviewed_people=story.reviewed_people,
                consents_end_on=story.consents_end_on,
            )
            marked += 1
    return marked


def record_publication(item, user) -> None:
    """After a published item is saved: the records publishing keeps."""
    if hasattr(item, "disclosures"):
        record_impact_assessment(story=item, user=user)


def record_impact_assessment(*, story, user) -> ImpactAssessment | None:
    """Keep the record of what sensitive details a story publishes, why, and under
    which consents, when a reviewer publishes it. Nothing sensitive, no record."""
    details = story.sensitive_details_published()
    if not details:
        return None
    consents = []
    for person in story.everyone():
        for consent in consents_in_force(person):
            scopes = "、".join(sorted(consent.get_scope_labels()))
            guardian = (
                f"（{consent.guardian_name}，{consent.guardian_relationship}）"
                if consent.guardian_name
                else ""
            )
            consents.append(
                f"{person.real_name}：{consent.get_given_by_display()}{guardian}，"
                f"{consent.given_on:%Y-%m-%d}，{consent.get_method_display()}，{scopes}"
            )
    return ImpactAssessment.objects.create(
        story=story,
        story_title=story.title,
        published="\n".join(details),
        purpose=_("报道帮扶措施及其效果，接受社会监督：%(dek)s") % {"dek": story.dek},
        consents="\n".join(consents) or _("（无）"),
        approved_by=user,
        approved_by_name=user.get_username(),
        approved_at=timezone.now(),
    )
