"""What readers may learn about a person: display policies, consents in force,
the under-14 rule at the story's date, household protection and redaction."""

import datetime

import pytest
from django.utils import timezone

from privacy.models import Consent
from privacy.rules import disclose, protected_form, scrub
from stories.models import Person
from tests.factories import (
    ConsentFactory,
    HouseholdFactory,
    PersonFactory,
    StoryFactory,
    StoryPersonFactory,
)

pytestmark = pytest.mark.django_db

Policy = Person.DisplayPolicy
STORY_DAY = datetime.date(2019, 11, 1)


def today():
    return timezone.localdate()


def adult(name="潘长君", **fields):
    return PersonFactory(real_name=name, birth_year=1960, **fields)


# Display policies ------------------------------------------------------------


def test_real_name_with_consent_covering_it_is_shown():
    person = adult()
    ConsentFactory(person=person)
    shown = disclose(person)
    assert shown.name == "潘长君"
    assert shown.shows_real_name
    assert "有效的同意包括真实姓名" in shown.reasons


def test_real_name_without_any_consent_shows_surname_and_mou():
    shown = disclose(adult())
    assert shown.name == "潘某"
    assert not shown.shows_real_name
    assert "没有有效的同意记录" in shown.reasons
    assert shown.scopes == set()


def test_real_name_with_consent_not_covering_it_shows_surname_and_mou():
    person = adult()
    ConsentFactory(person=person, covers_real_name=False)
    shown = disclose(person)
    assert shown.name == "潘某"
    assert "同意记录不包括真实姓名" in shown.reasons
    # What the consent does cover still counts for the story's details.
    assert shown.allows("financial") and shown.allows("health")


def test_surname_policy_hides_the_name_even_with_consent():
    person = adult(display_policy=Policy.SURNAME)
    ConsentFactory(person=person)
    shown = disclose(person)
    assert shown.name == "潘某"
    assert "显示方式为“姓氏加“某””" in shown.reasons


def test_pseudonym_policy_shows_the_chosen_pseudonym():
    person = adult(display_policy=Policy.PSEUDONYM, pseudonym="小潘")
    ConsentFactory(person=person)
    assert disclose(person).name == "小潘"
    assert person.public_name() == "小潘"


def test_pseudonym_policy_without_a_pseudonym_falls_back_to_surname_and_mou():
    person = adult(display_policy=Policy.PSEUDONYM, pseudonym="")
    assert protected_form(person) == "潘某"


def test_initials_policy_shows_pinyin_initials():
    person = adult(display_policy=Policy.INITIALS)
    ConsentFactory(person=person)
    assert disclose(person).name == "P.C.J."
    # Read as names are read: 长 is Cháng in a given name, 曾 is Zēng as a surname.
    for name, expected in [
        ("叶寿恒", "Y.S.H."),
        ("曾国藩", "Z.G.F."),
        ("Anna Li", "A.L."),
    ]:
        assert protected_form(adult(name, display_policy=Policy.INITIALS)) == expected


# Consents in force -----------------------------------------------------------


def test_consent_withdrawn_today_no_longer_counts():
    person = adult()
    ConsentFactory(person=person, withdrawn_on=today())
    shown = disclose(person)
    assert shown.name == "潘某"
    assert shown.scopes == set()


def test_consent_withdrawn_in_the_future_still_counts_until_then():
    person = adult()
    ConsentFactory(person=person, withdrawn_on=today() + datetime.timedelta(days=1))
    assert disclose(person).name == "潘长君"
    assert disclose(person, today=today() + datetime.timedelta(days=1)).name == ("潘某")


def test_a_withdrawn_consent_is_not_active_in_the_queryset_either():
    person = adult()
    kept = ConsentFactory(person=person)
    ConsentFactory(person=person, withdrawn_on=today())
    assert list(Consent.objects.active()) == [kept]


def test_a_consent_given_after_the_story_date_counts_today():
    """Decision: consent governs publication, which happens today, so a consent
    the newspaper obtained after the story's date (e.g. before republishing an
    old story) covers it. What matters is the consent in force now."""
    person = adult()
    ConsentFactory(person=person, given_on=today())
    story = StoryFactory(source_date=STORY_DAY)
    StoryPersonFactory(story=story, person=person)
    assert story.disclosure_of(person).name == "潘长君"


def test_a_consent_dated_in_the_future_does_not_count_yet():
    person = adult()
    ConsentFactory(person=person, given_on=today() + datetime.timedelta(days=3))
    assert disclose(person).name == "潘某"


# Children under 14 -----------------------------------------------------------


def test_a_child_at_the_story_date_stays_protected_though_adult_today():
    # Born 2006: 12 or 13 in November 2019 (ages err young), an adult today.
    person = PersonFactory(real_name="潘长君", birth_year=2006)
    ConsentFactory(person=person)  # his own consent, given as an adult
    assert not person.is_child_on(today())
    # On his own today, as an adult, his consent counts.
    assert disclose(person).name == "潘长君"
    # On the 2019 story, only a guardian's consent could name him.
    story = StoryFactory(source_date=STORY_DAY)
    StoryPersonFactory(story=story, person=person)
    shown = story.disclosure_of(person)
    assert shown.is_child
    assert shown.name == "潘某"
    assert any("未满14周岁" in reason for reason in shown.reasons)


def test_a_story_without_source_date_is_dated_by_its_publication():
    person = PersonFactory(real_name="潘长君", birth_year=2006)
    ConsentFactory(person=person)
    story = StoryFactory(
        published_at=datetime.datetime(2019, 11, 20, tzinfo=datetime.UTC)
    )
    StoryPersonFactory(story=story, person=person)
    assert story.disclosure_of(person).name == "潘某"


def test_a_dated_age_of_13_protects_the_child():
    person = PersonFactory(
        real_name="潘长君",
        birth_year=None,
        age=13,
        age_as_of=datetime.date(2019, 10, 1),
    )
    ConsentFactory(person=person)
    story = StoryFactory(source_date=STORY_DAY)
    StoryPersonFactory(story=story, person=person)
    assert story.disclosure_of(person).name == "潘某"


def test_a_child_today_is_protected_without_a_story():
    person = PersonFactory(real_name="潘长君", birth_year=today().year - 10)
    assert person.is_child_on(today())
    assert disclose(person).name == "潘某"


def test_a_childs_own_consent_is_ignored():
    person = PersonFactory(real_name="潘长君", birth_year=today().year - 10)
    ConsentFactory(person=person)  # given by the child himself
    shown = disclose(person)
    assert shown.name == "潘某"
    assert shown.scopes == set()
    assert "只认监护人的同意" in shown.reasons[0]


def test_a_guardians_consent_covering_the_real_name_shows_it():
    person = PersonFactory(real_name="潘长君", birth_year=today().year - 10)
    ConsentFactory(person=person, guardian=True)
    shown = disclose(person)
    assert shown.name == "潘长君"
    assert shown.is_child and shown.shows_real_name


def test_a_guardians_consent_without_the_real_name_covers_only_its_scopes():
    person = PersonFactory(real_name="潘长君", birth_year=today().year - 10)
    ConsentFactory(
        person=person,
        guardian=True,
        covers_real_name=False,
        covers_photo=False,
        covers_health=False,
    )
    shown = disclose(person)
    assert shown.name == "潘某"
    assert shown.scopes == {"financial"}


# Household protection and redaction -------------------------------------------

BODY = (
    "潘长君13岁，和爷爷潘蔼章、奶奶张仕娣一起生活。\n\n长君读书很自觉，蔼章老人很放心。"
)


@pytest.fixture
def pan_household():
    """The boy (13 in 2019, guardian's consent without his name), his grandfather
    and grandmother (both consented to everything)."""
    household = HouseholdFactory(name="潘蔼章户")
    boy = PersonFactory(
        real_name="潘长君",
        birth_year=None,
        age=13,
        age_as_of=datetime.date(2019, 10, 1),
        household=household,
    )
    ConsentFactory(person=boy, guardian=True, covers_real_name=False)
    grandfather = adult("潘蔼章", household=household)
    ConsentFactory(person=grandfather)
    grandmother = adult("张仕娣", household=household)
    ConsentFactory(person=grandmother)
    return boy, grandfather, grandmother


def test_household_members_of_a_protected_child_are_protected_too(pan_household):
    boy, grandfather, grandmother = pan_household
    story = StoryFactory(source_date=STORY_DAY, title="潘蔼章一家", body=BODY)
    StoryPersonFactory(story=story, person=boy)
    StoryPersonFactory(story=story, person=grandfather)
    # The grandmother is not featured, only mentioned in the body.
    shown = story.disclosure_of(grandfather)
    assert shown.name == "潘某"
    assert "与受保护的未成年人同户，姓名一并保护" in shown.reasons
    # Consents still count for the details, only the name is protected.
    assert shown.allows("health")
    assert story.disclosure_of(grandmother).name == "张某"
    text = story.redact(story.body) + story.redact(story.title)
    for real in ("潘长君", "长君", "潘蔼章", "蔼章", "张仕娣", "仕娣"):
        assert real not in text
    assert "潘某13岁" in text
    assert "奶奶张某" in text


def test_a_story_featuring_only_an_adult_of_the_household_protects_the_child(
    pan_household,
):
    _boy, grandfather, _grandmother = pan_household
    story = StoryFactory(source_date=STORY_DAY, body=BODY)
    StoryPersonFactory(story=story, person=grandfather)
    assert story.disclosure_of(grandfather).name == "潘某"
    text = story.redact(story.body)
    for real in ("潘长君", "长君", "潘蔼章", "张仕娣"):
        assert real not in text


def test_a_child_named_with_his_guardians_consent_does_not_protect_the_household(
    pan_household,
):
    boy, grandfather, _grandmother = pan_household
    ConsentFactory(person=boy, guardian=True, given_on=datetime.date(2019, 10, 2))
    story = StoryFactory(source_date=STORY_DAY, body=BODY)
    StoryPersonFactory(story=story, person=boy)
    StoryPersonFactory(story=story, person=grandfather)
    assert story.disclosure_of(boy).name == "潘长君"
    assert story.disclosure_of(grandfather).name == "潘蔼章"
    assert story.redact(BODY) == BODY


def test_a_protected_adult_is_replaced_by_full_and_given_name():
    person = adult("潘长君")
    story = StoryFactory(
        title="潘长君的新工作", dek="长君换了工作。", body="大家都叫他长君。"
    )
    StoryPersonFactory(story=story, person=person)
    assert story.redact(story.title) == "潘某的新工作"
    assert story.redact(story.dek) == "潘某换了工作。"
    assert story.name_replacements == {"潘长君": "潘某", "长君": "潘某"}


def test_a_two_character_name_is_replaced_whole_only():
    person = adult("晏丽")
    story = StoryFactory(body="晏丽很美丽。")
    StoryPersonFactory(story=story, person=person)
    assert story.redact(story.body) == "晏某很美丽。"


def test_a_consenting_adult_keeps_the_real_name_in_the_text():
    person = adult("叶寿恒")
    ConsentFactory(person=person)
    story = StoryFactory(body="叶寿恒在木板厂上班。")
    StoryPersonFactory(story=story, person=person)
    assert story.redact(story.body) == "叶寿恒在木板厂上班。"


def test_id_numbers_are_scrubbed():
    assert scrub("身份证号45080320060101123X，电话") == (
        "身份证号［身份证号已隐去］，电话"
    )
    assert scrub("号码 450803200601011234。") == "号码 ［身份证号已隐去］。"
    # Longer digit runs (an account number) and amounts are left alone.
    assert scrub("账号 45080320060101123456") == "账号 45080320060101123456"
    assert scrub("补贴1500元") == "补贴1500元"
    story = StoryFactory(body="身份证：450803200601011234")
    assert "450803200601011234" not in story.redact(story.body)
