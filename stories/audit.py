"""What the stories app gives `manage.py privacy_audit` (privacy.audit): its
people with the dates of their stories, and checks of published stories."""

from collections import defaultdict
from collections.abc import Iterator

from django.utils.translation import gettext as _

from privacy import services as privacy
from privacy.audit import Finding
from privacy.rules import ProtectedNames, changes_since_review
from stories.models import Concern, Person, Story


def people_with_story_dates() -> Iterator[tuple[Person, list]]:
    dates = defaultdict(list)
    for person, source, published in Concern.objects.values_list(
        "person_id", "story__source_date", "story__published_at"
    ):
        dates[person].append(source or (published and published.date()))
    people = Person.objects.prefetch_related("consents", "household__members__consents")
    for person in people.iterator(chunk_size=2000):
        yield person, dates.get(person.pk, [])


def published_stories() -> Iterator[Finding]:
    """Each published story as a reviewer would check it today: what its
    people allow now, what was approved, and its address."""
    for story in Story.objects.published().with_details().iterator(chunk_size=500):
        where = story.get_absolute_url()
        for problem in privacy.publication_problems(story):
            yield Finding(where, _("发布后不再符合要求：%(p)s") % {"p": problem})
        less, more = changes_since_review(
            story.reviewed_people, story.disclosures, story.people_by_id()
        )
        for change in less + more:
            yield Finding(where, _("与审核时不同：%(c)s") % {"c": change})
        everyone = ProtectedNames()
        for person in story.everyone():
            everyone.protect(person.real_name, person.real_name)
        for spelling in everyone.checker.find(story.slug):
            yield Finding(
                where,
                _("网址里有%(name)s的名字“%(found)s”")
                % {"name": spelling.name, "found": spelling.found},
            )
