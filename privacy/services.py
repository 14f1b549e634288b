from django.utils import timezone
from django.utils.translation import gettext as _

from privacy.models import ImpactAssessment
from privacy.rules import consents_in_force


def record_impact_assessment(*, story, user) -> ImpactAssessment | None:
    """Keep the record of what sensitive details a story publishes, why, and under
    which consents, when a reviewer publishes it. Nothing sensitive, no record."""
    details = story.sensitive_details_published()
    if not details:
        return None
    consents = []
    for person in story.people.all():
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
