import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from privacy.models import Consent
from programs.abstract import Qualifier
from stories.models import Assistance, Measure, Person
from tests.factories import (
    AssistanceFactory,
    HouseholdFactory,
    PersonFactory,
    StoryFactory,
    StoryPersonFactory,
)

pytestmark = pytest.mark.django_db


def test_assistance_totals_never_add_monthly_to_one_off_amounts():
    story = StoryFactory()
    AssistanceFactory(
        story=story,
        measure=Measure.MINIMUM_LIVING,
        value=648,
        period=Assistance.Period.MONTHLY,
        covers_people=3,
    )
    AssistanceFactory(
        story=story,
        measure=Measure.DISABILITY_ALLOWANCE,
        value=80,
        period=Assistance.Period.MONTHLY,
    )
    AssistanceFactory(story=story, measure=Measure.RAIN_DEW, value=1500)
    AssistanceFactory(
        story=story, measure=Measure.DONATION, value=2000, provider="桥圩福禄好家具城"
    )
    totals = {t.period: t.display for t in story.assistance_totals()}
    assert totals == {"once": "3500元", "monthly": "728元"}


def test_an_approximate_line_makes_its_total_approximate():
    story = StoryFactory()
    AssistanceFactory(story=story, value=Decimal("7000"), qualifier=Qualifier.MORE)
    AssistanceFactory(story=story, value=Decimal("1.2"), unit="万元")
    (total,) = story.assistance_totals()
    assert total.display == "19,000多元"


def test_assistance_cannot_be_negative():
    with pytest.raises(IntegrityError), transaction.atomic():
        AssistanceFactory(value=Decimal("-1"))


def test_an_age_needs_the_date_it_was_given():
    with pytest.raises(IntegrityError), transaction.atomic():
        PersonFactory(age=13, age_as_of=None)


def test_age_from_a_dated_age_errs_young():
    boy = PersonFactory(birth_year=None, age=13, age_as_of=datetime.date(2019, 10, 1))
    assert boy.age_on(datetime.date(2019, 10, 1)) == 13
    assert boy.age_on(datetime.date(2020, 9, 30)) == 13
    assert boy.age_on(datetime.date(2020, 10, 1)) == 14
    assert boy.age_on(datetime.date(2019, 9, 30)) == 12


def test_age_from_a_birth_year_errs_young():
    person = PersonFactory(birth_year=2006)
    assert person.age_on(datetime.date(2019, 12, 31)) == 12


def test_a_child_is_shown_by_surname_only():
    story = StoryFactory(
        title="潘长君上学了",
        body="潘长君今年13岁。长君很用功。爷爷潘蔼章很放心。",
        published_at=datetime.datetime(2019, 11, 20, tzinfo=datetime.UTC),
    )
    boy = PersonFactory(
        real_name="潘长君",
        birth_year=None,
        age=13,
        age_as_of=datetime.date(2019, 10, 1),
    )
    boy.household = HouseholdFactory()
    boy.save()
    grandfather = PersonFactory(
        real_name="潘蔼章", birth_year=1950, household=boy.household
    )
    StoryPersonFactory(story=story, person=boy)
    StoryPersonFactory(story=story, person=grandfather)
    # Grown up by now, he stays protected: he was 13 when the story ran.
    assert boy.public_name() == "潘某"
    assert boy.public_name(on=story.story_date) == "潘某"
    # His grandfather, of the same household, would name him too.
    assert story.redact(story.body) == "潘某今年13岁。潘某很用功。爷爷潘某很放心。"
    assert "长君" not in story.redact(story.title)


def test_a_child_by_birth_year_is_protected_today():
    child = PersonFactory(real_name="李小明", birth_year=timezone.localdate().year - 10)
    assert child.public_name() == "李某"


def test_an_adult_keeps_the_real_name_only_with_consent():
    person = PersonFactory(real_name="叶寿恒", birth_year=1975)
    assert person.public_name() == "叶某"
    Consent.objects.create(
        person=person,
        given_by=Consent.GivenBy.PERSON,
        given_on=datetime.date(2019, 10, 1),
        method=Consent.Method.SIGNED_FORM,
        covers_real_name=True,
    )
    person = Person.objects.get(pk=person.pk)
    assert person.public_name() == "叶寿恒"
    assert (
        Person.objects.get(pk=person.pk).public_name(on=datetime.date(2019, 11, 1))
        == "叶寿恒"
    )
