"""A search must never confirm what the pages withhold: protected names, and
details a story does not show."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from privacy.models import Consent
from stories.models import Cause, Person, Story, StoryPhoto
from tests.factories import (
    ConsentFactory,
    PersonFactory,
    StoryFactory,
    StoryPersonFactory,
)

CHILD_STORY = "/stories/jindong-schoolboy-grandparents/"
YE_STORY = "/stories/jindong-job-closer-to-home/"


PROTECTED = ["潘长君", "长君", "潘蔼章", "张仕娣"]


@pytest.mark.parametrize("query", [*PROTECTED, "潘长君 上学", "长君 爷爷"])
def test_a_protected_name_finds_nothing(demo, found, query):
    html = Client().get("/search/", {"q": query}).content.decode()

    assert found(query) == []
    # The page repeats what the reader typed, and nothing else of the name.
    rest = html.replace(query, "")
    assert not [name for name in PROTECTED if name in rest]
    assert "你是不是要找" not in html


def test_the_child_is_found_only_as_readers_see_him(demo, found):
    html = Client().get("/search/", {"q": "上学"}).content.decode()

    assert CHILD_STORY in found("潘某")
    assert "潘某被安排到市里<mark>上学</mark>" in html
    assert "潘长君" not in html


def test_a_withdrawn_consent_makes_the_real_name_unsearchable(demo, found):
    assert found("叶寿恒") == [YE_STORY, "/programs/gangnan-precise-assistance/"]

    Consent.objects.filter(person__real_name="叶寿恒").update(
        withdrawn_on=timezone.localdate()
    )
    # QuerySet.update sends no signal: the person is saved as the admin would.
    Person.objects.get(real_name="叶寿恒").save()

    assert found("叶寿恒") == []
    assert YE_STORY in found("叶某")


def test_a_withdrawal_dated_ahead_takes_effect_on_its_day(demo, found):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    consent = Consent.objects.filter(person__real_name="叶寿恒").first()
    consent.withdrawn_on = tomorrow
    consent.save()

    assert YE_STORY in found("叶寿恒")
    with time_machine.travel(timezone.now() + datetime.timedelta(days=2)):
        assert YE_STORY not in found("叶寿恒")
        assert YE_STORY in found("叶某")


def test_a_person_without_consent_is_found_by_the_protected_form_only(db, found):
    story = StoryFactory(body="王小明今年考上了大学。")
    StoryPersonFactory(story=story, person=PersonFactory(real_name="王小明"))

    assert found("王小明") == []
    assert found("王某") == [story.get_absolute_url()]


def test_a_consent_given_later_makes_the_name_findable(db, found):
    story = StoryFactory(body="王小明今年考上了大学。")
    person = PersonFactory(real_name="王小明")
    StoryPersonFactory(story=story, person=person)
    assert found("王小明") == []

    ConsentFactory(person=person, given_on=timezone.localdate())

    assert found("王小明") == [story.get_absolute_url()]


def test_a_health_cause_without_consent_is_not_searchable(db, found):
    story = StoryFactory(body="一家人的日子慢慢好起来。")
    StoryPersonFactory(story=story)
    story.causes.add(Cause.objects.get(slug="illness"))

    assert found("因病") == []


def test_a_photo_readers_may_not_see_lends_no_words(db, found):
    story = StoryFactory()
    person = PersonFactory()
    StoryPersonFactory(story=story, person=person)
    photo = StoryPhoto.objects.create(
        story=story, caption="在茶园采茶。", credit="杨亚俊摄", alt_text="采茶"
    )
    assert found("茶园") == [story.get_absolute_url()]

    photo.people_shown.add(person)  # who has not consented to photos

    assert found("茶园") == []


def test_program_texts_protect_names_as_program_pages_do(demo, found):
    # The child's grandfather is named in no program, but a program that did
    # name him would show 潘某 on its page: search must agree.
    program = Story.objects.get(slug="jindong-schoolboy-grandparents").programs.get()
    program.body += "\n\n潘蔼章老人说，孙子读书很自觉。"
    program.save()

    assert found("潘蔼章") == []
    assert program.get_absolute_url() in found("孙子 读书")
