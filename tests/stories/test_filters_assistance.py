"""Readers find stories by the help they record: which measure, from whom, from
what kind of provider, all of it on one line the story shows."""

import pytest
from django.urls import reverse
from django.utils import timezone

from privacy.models import Consent
from stories.forms import StoryFilterForm, public_providers
from stories.models import Assistance, Measure, Story
from tests.factories import (
    AssistanceFactory,
    PersonFactory,
    StoryFactory,
    StoryPersonFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("uncached_pages")]

BOY = "jindong-schoolboy-grandparents"
YE = "jindong-job-closer-to-home"


def found(client, **query) -> set[str]:
    page = client.get(reverse("stories:list"), query)
    assert page.status_code == 200
    return {story.slug for story in page.context["story_list"]}


def test_stories_where_rain_dew_paid_for_school(client, demo):
    # “雨露计划” is the government's school grant for poor families' children:
    # both 锦垌村 households received it.
    assert found(client, measure="rain_dew", provider_type="government") == {BOY, YE}


def test_stories_where_a_charity_paid_for_school(client, demo):
    assert found(client, measure="donation", provider="马可波罗慈善基金会") == {BOY}
    assert found(client, provider_type="company") == {BOY}
    assert found(client, provider="桥圩福禄好家具城", provider_type="company") == {BOY}


def test_every_assistance_filter_must_hold_for_the_same_line(client, demo):
    # The boy's story has a 雨露计划 line and a line from the foundation, but the
    # foundation did not pay the 雨露计划 grant.
    assert found(client, measure="rain_dew", provider="马可波罗慈善基金会") == set()
    assert found(client, measure="donation", provider_type="government") == set()
    assert (
        found(client, provider="马可波罗慈善基金会", provider_type="company") == set()
    )


def test_providers_offered_are_those_readers_see_in_pinyin_order(demo):
    assert public_providers() == ["马可波罗慈善基金会", "桥圩福禄好家具城"]
    choices = [value for value, _label in StoryFilterForm().fields["provider"].choices]
    assert choices == ["", "马可波罗慈善基金会", "桥圩福禄好家具城"]


def test_a_withheld_lines_provider_is_neither_offered_nor_found(client, demo):
    story = StoryFactory(title="未同意公开的帮扶")
    person = PersonFactory()  # no consent: the line is withheld on the page
    StoryPersonFactory(story=story, person=person)
    AssistanceFactory(story=story, recipient=person, provider="不公开的爱心企业")
    AssistanceFactory(
        story=StoryFactory(status=Story.Status.DRAFT), provider="草稿里的企业"
    )
    assert "不公开的爱心企业" not in public_providers()
    assert "草稿里的企业" not in public_providers()

    page = client.get(reverse("stories:list"), {"provider": "不公开的爱心企业"})
    # Not a provider readers know of: reported and ignored, so it finds nothing
    # in particular.
    assert "以下筛选条件无效，已被忽略" in page.text
    assert found(client, provider="不公开的爱心企业") == found(client)
    # The withheld line is an education grant from the government too: the
    # filter finds only the story whose such line readers see.
    assert found(client, provider_type="government", measure="education_aid") == {BOY}


def test_provider_names_are_offered_and_matched_as_readers_see_them(client, demo):
    boy = Story.objects.get(slug=BOY)
    Assistance.objects.create(
        story=boy,
        measure=Measure.DONATION,
        provider="潘蔼章的老同事",
        provider_type=Assistance.ProviderType.OTHER,
        value=500,
        unit="元",
    )
    assert "潘某的老同事" in public_providers()
    assert not any("潘蔼章" in name for name in public_providers())
    page = client.get(reverse("stories:list"), {"provider": "潘某的老同事"})
    assert [s.slug for s in page.context["story_list"]] == [BOY]
    assert "潘蔼章" not in page.text


def test_a_withdrawn_consent_takes_its_lines_out_of_the_filters(client, demo):
    Consent.objects.filter(person__real_name__in=["叶寿恒", "庞春梅"]).update(
        withdrawn_on=timezone.localdate()
    )
    assert found(client, measure="rain_dew", provider_type="government") == {BOY}


def test_the_filter_names_other_pages_rely_on_stay(demo):
    form = StoryFilterForm()
    assert {"region", "program", "cause", "measure", "year"} <= set(form.fields)
    assert {"provider", "provider_type"} <= set(form.fields)


def test_odd_values_are_ignored_with_a_message(client, demo):
    page = client.get(
        reverse("stories:list"), {"provider_type": "nonsense", "measure": "rain_dew"}
    )
    assert page.status_code == 200
    assert "以下筛选条件无效，已被忽略" in page.text
    assert {s.slug for s in page.context["story_list"]} == {BOY, YE}
