"""Every public page runs the same number of queries however many stories,
people, assistance lines, outcomes, photos and figures there are: the page
with many related rows may not run a single query more than the page with
two (an N+1 shows up as the difference)."""

import pytest
from django.urls import reverse

from programs.models import Program
from stories.models import Story
from tests.factories import (
    AssistanceFactory,
    ConsentFactory,
    FigureFactory,
    HouseholdFactory,
    OutcomeFactory,
    PersonFactory,
    ProgramFactory,
    RegionFactory,
    StoryFactory,
    StoryPersonFactory,
    StoryPhotoFactory,
)


def content(n: int):
    """A county with a program of n×3 figures and n stories, each linked to
    the program with n people (consent given), assistance lines, outcomes
    and photos."""
    county = RegionFactory(code="140225", name="浑源县")
    program = ProgramFactory(region=county, slug="dianshang", title="电商扶贫")
    for i in range(n * 3):
        FigureFactory(program=program, indicator=f"指标{i % 3}", year=2014 + i // 3)
    stories = []
    for s in range(n):
        story = StoryFactory(region=county, slug=f"story-{s}", title=f"黄花合作社{s}")
        story.programs.add(program)
        household = HouseholdFactory(region=county)
        for p in range(n):
            person = PersonFactory(household=household)
            ConsentFactory(person=person)
            StoryPersonFactory(story=story, person=person)
            AssistanceFactory(
                story=story, recipient=person, order=p + 1, provider=f"帮扶单位{p}"
            )
            OutcomeFactory(story=story)
            StoryPhotoFactory(story=story)
        stories.append(story)
    return county, program, stories


PAGES = {
    "home": lambda c, p, s: reverse("home"),
    "story list": lambda c, p, s: reverse("stories:list"),
    "story list, filtered": lambda c, p, s: (
        reverse("stories:list") + "?region=140225&measure=education_aid"
    ),
    "story": lambda c, p, s: s[0].get_absolute_url(),
    "program list": lambda c, p, s: reverse("programs:list"),
    "program": lambda c, p, s: p.get_absolute_url(),
    "program brief": lambda c, p, s: reverse("programs:brief", args=[p.slug]),
    "region list": lambda c, p, s: reverse("programs:region_list"),
    "region": lambda c, p, s: c.get_absolute_url(),
    "search": lambda c, p, s: reverse("search:results") + "?q=黄花",
    "feed": lambda c, p, s: reverse("stories:feed_rss"),
    "sitemap": lambda c, p, s: reverse("sitemap"),
}


def queries(client, django_assert_max_num_queries, url: str) -> int:
    with django_assert_max_num_queries(200) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


@pytest.mark.parametrize("page", PAGES)
def test_a_page_runs_as_many_queries_for_many_rows_as_for_few(
    client, db, django_assert_max_num_queries, page
):
    few = content(2)
    url = PAGES[page](*few)
    # Each page is asked twice: the first request may fill caches (the
    # search index's due entries, the site's protected names).
    queries(client, django_assert_max_num_queries, url)
    with_few = queries(client, django_assert_max_num_queries, url)

    Story.objects.all().delete()
    Program.objects.all().delete()
    many = content(12)
    url = PAGES[page](*many)
    queries(client, django_assert_max_num_queries, url)
    with_many = queries(client, django_assert_max_num_queries, url)

    assert with_many <= with_few
