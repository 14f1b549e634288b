"""`manage.py privacy_audit` is clean on the demo and finds each of the ten
findings of the privacy review when its reproduction is applied: where the
portal now refuses the change, the change is written straight to the
database (as an old import or a script would); where the portal now redacts
at render, the old rendering is put back for the test."""

import datetime
from functools import cached_property

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from editorial.models import AuditEntry
from editorial.services import record
from privacy import audit, rules
from privacy.models import Consent
from privacy.rules import disclose_all
from stories import downloads
from stories.models import Person, Story
from tests.factories import (
    AssistanceFactory,
    ConsentFactory,
    PersonFactory,
    StoryFactory,
)

pytestmark = pytest.mark.django_db

CHILD_STORY = "jindong-schoolboy-grandparents"
YE_STORY = "jindong-job-closer-to-home"


def findings(*start: str, search: bool = False) -> list[str]:
    """The audit of a few pages (and whatever they link to, up to 40)."""
    return [
        str(f) for f in audit.audit(limit=40, search=search, start=start or audit.START)
    ]


def story_url(slug: str) -> str:
    return Story.objects.get(slug=slug).get_absolute_url()


def test_the_demo_is_clean(demo, capsys):
    call_command("privacy_audit")
    assert "没有发现超出同意范围显示的人名" in capsys.readouterr().out


def test_a_finding_makes_the_command_fail_and_says_where(demo, capsys):
    Story.objects.filter(slug=CHILD_STORY).update(body="记者见到了Pan Changjun。")
    with pytest.raises(CommandError, match="发现"):
        call_command("privacy_audit", "--no-search", "--limit", "30")
    out = capsys.readouterr().out
    assert f"{story_url(CHILD_STORY)}\t出现了潘长君的名字“Pan Changjun”（拼音）" in out


def test_1_a_household_removed_behind_the_reviewers_back(demo):
    Person.objects.filter(real_name__in=["潘蔼章", "张仕娣"]).update(household=None)
    found = findings(story_url(CHILD_STORY))
    assert any("与审核时不同：潘蔼章：读者将看到真实姓名" in f for f in found)


def test_2_a_recipient_the_pages_do_not_protect(demo, monkeypatch):
    def featured_only(story):
        shown, story._people_by_id = disclose_all(
            story.people.all(), story_date=story.story_date
        )
        return shown

    old = cached_property(featured_only)
    old.__set_name__(Story, "disclosures")
    monkeypatch.setattr(Story, "disclosures", old)
    story = Story.objects.get(slug=YE_STORY)
    girl = PersonFactory(
        real_name="钱小花",
        birth_year=None,
        age=9,
        age_as_of=datetime.date(2019, 10, 1),
    )
    ConsentFactory(person=girl, guardian=True, covers_real_name=False)
    AssistanceFactory(story=story, recipient=girl, description="钱小花的助学金")

    found = findings(story.get_absolute_url())
    assert any("出现了钱小花的名字“钱小花”" in f for f in found)


def test_3_an_address_that_spells_a_name(demo):
    Story.objects.filter(slug=CHILD_STORY).update(slug="pan-zhang-jun-de-qiu-xue-lu")
    found = findings("/stories/")
    assert any("网址里有潘长君的名字" in f for f in found)
    assert any("出现了潘长君的名字“pan-zhang-jun”（拼音）" in f for f in found)


def test_4_a_file_served_under_a_name(demo, settings):
    folder = settings.MEDIA_ROOT / "photos" / "2019" / "10"
    folder.mkdir(parents=True)
    (folder / "pan-aizhang-zhang-shidi.jpg").write_bytes(b"\xff\xd8")
    (folder / "潘长君.jpg").write_bytes(b"\xff\xd8")
    found = findings("/")
    assert any("pan-aizhang-zhang-shidi.jpg" in f and "潘蔼章" in f for f in found)
    assert any("潘长君.jpg" in f for f in found)


def test_5_a_child_shown_by_initials(demo, monkeypatch):
    def initials_for_everyone(person, *, is_child=None):
        return rules.initials(person.real_name)

    monkeypatch.setattr(rules, "protected_form", initials_for_everyone)
    Person.objects.filter(real_name="潘长君").update(display_policy="initials")
    found = findings(story_url(CHILD_STORY))
    assert any("出现了潘长君的名字“P.C.J.”（拼音首字母）" in f for f in found)


def test_6_a_withdrawn_consent_under_a_live_story(demo):
    Consent.objects.filter(person__real_name="叶寿恒").update(
        withdrawn_on=timezone.localdate()
    )
    found = findings(story_url(YE_STORY))
    assert any("与审核时不同：叶寿恒：同意不再包括" in f for f in found)
    assert any("发布后不再符合要求：叶寿恒 缺少" in f for f in found)


def test_7_a_name_in_pinyin_and_in_traditional_characters(demo):
    Story.objects.filter(slug=CHILD_STORY).update(
        body="Changjun Pan 和爷爷潘藹章一起生活。"
    )
    found = findings(story_url(CHILD_STORY), search=True)
    assert any("出现了潘长君的名字“Changjun Pan”（拼音）" in f for f in found)
    # The traditional form is replaced on the page: nothing to find there.
    assert not any("潘藹章" in f for f in found)


def test_8_authors_who_download_consent_scans(demo):
    Group.objects.get(name="作者").permissions.add(
        Permission.objects.get(codename="view_consent")
    )
    found = findings("/")
    assert any("用户组“作者”" in f and "同意书扫描件" in f for f in found)


def test_9_a_preview_link_to_someone_elses_draft(demo, author, other_author):
    draft = StoryFactory(
        status=Story.Status.DRAFT, published_at=None, created_by=other_author
    )
    record(author, AuditEntry.Action.SHARE_PREVIEW, draft)
    found = findings("/")
    assert any("author为别人的" in f and "分享预览链接" in f for f in found)


def test_10_a_download_that_does_not_redact_the_source(demo, monkeypatch):
    def unredacted_source(story, line, url, matches):
        record = old(story, line, url, matches)
        record["source"]["publication"] = story.source_publication
        return record

    old = downloads.assistance_record
    monkeypatch.setattr(downloads, "assistance_record", unredacted_source)
    Story.objects.filter(slug=CHILD_STORY).update(
        source_publication="潘蔼章家的扶贫手册"
    )
    found = findings("/stories/assistance.csv", "/stories/assistance.json")
    assert any(f.startswith("/stories/assistance.csv") and "潘蔼章" in f for f in found)
