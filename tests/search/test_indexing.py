"""The index follows every save, publication, link, rename and import, and
readers only ever find what they may see now."""

import datetime

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from editorial import services
from programs.models import Program, Region
from search.indexing import refresh_due
from search.models import SearchEntry
from stories.models import Story
from tests.factories import (
    AssistanceFactory,
    ProgramFactory,
    RegionFactory,
    StoryFactory,
)
from tests.imports.helpers import rows_to_csv

DAY = datetime.timedelta(days=1)


def test_an_edit_is_found_by_its_new_words_only(db, found):
    story = StoryFactory(title="小米上了网店")
    assert found("小米") == [story.get_absolute_url()]

    story.title = "花菇卖出了好价钱"
    story.save()

    assert found("小米") == []
    assert found("花菇") == [story.get_absolute_url()]


def test_publishing_and_unpublishing_through_the_workflow(reviewer, found):
    story = StoryFactory(title="小米上了网店", status=Story.Status.DRAFT)
    assert found("小米") == []

    services.apply_transition(obj=story, name="publish", user=reviewer)
    assert found("小米") == [story.get_absolute_url()]

    services.apply_transition(obj=story, name="unpublish", user=reviewer)
    assert found("小米") == []


def test_scheduled_and_expired_stories_are_found_only_while_public(db, found):
    now = timezone.now()
    scheduled = StoryFactory(title="小米上了网店", published_at=now + DAY)
    expiring = StoryFactory(
        title="小米丰收", published_at=now - DAY, expires_at=now + DAY
    )

    assert found("小米") == [expiring.get_absolute_url()]
    with time_machine.travel(now + 2 * DAY):
        assert found("小米") == [scheduled.get_absolute_url()]


@pytest.mark.parametrize("status", ["draft", "review", "archived"])
def test_an_unpublished_story_is_never_found(db, found, status):
    StoryFactory(title="小米上了网店", status=status)

    assert found("小米") == []


def test_a_linked_program_and_an_assistance_line_make_a_story_findable(db, found):
    story = StoryFactory(title="一家人的新生活")
    story.programs.add(ProgramFactory(title="港南区茶叶产业扶贫"))
    AssistanceFactory(story=story, measure="rain_dew", description="秋季学期补助")

    assert found("茶叶") == [
        "/programs/" + story.programs.get().slug + "/",
        story.get_absolute_url(),
    ]
    assert story.get_absolute_url() in found("雨露计划 秋季")

    story.programs.clear()
    assert found("茶叶") == ["/programs/" + Program.objects.get().slug + "/"]


def test_an_unpublished_program_lends_no_words_to_its_stories(db, found):
    story = StoryFactory(title="一家人的新生活")
    program = ProgramFactory(title="港南区茶叶产业扶贫", status="draft")
    story.programs.add(program)

    assert found("茶叶") == []

    program.status = Program.Status.PUBLISHED
    program.save()
    assert len(found("茶叶")) == 2


def test_a_renamed_region_is_found_by_its_new_name(county, found):
    village = RegionFactory(name="锦垌村", level=5, code="", parent=county)
    story = StoryFactory(region=village)
    assert found("锦垌村") == [story.get_absolute_url()]
    assert found("港南区") == [story.get_absolute_url()]

    village.name = "新垌村"
    village.save()

    assert found("锦垌村") == []
    assert found("新垌村") == [story.get_absolute_url()]


def test_a_deleted_story_leaves_no_entry(db, found):
    story = StoryFactory(title="小米上了网店")
    AssistanceFactory(story=story)
    refresh_due()

    story.delete()

    assert not SearchEntry.objects.exists()
    assert found("小米") == []


def test_a_spreadsheet_import_leaves_the_index_current(county, tmp_path, found):
    program = ProgramFactory(title="港南区竹编合作社", region=county)
    rows = [
        ["网址标识", "标题", "导语", "正文", "地区代码", "相关项目"],
        [
            "bamboo-weaver",
            "竹编手艺人的新订单",
            "导语。",
            "她在合作社编竹篮。",
            county.code,
            program.slug,
        ],
    ]
    path = tmp_path / "stories.csv"
    path.write_bytes(rows_to_csv(rows))

    call_command("import", "stories.resources.StoryResource", str(path), "--noinput")

    story = Story.objects.get(slug="bamboo-weaver")
    story.status, story.published_at = Story.Status.PUBLISHED, timezone.now()
    story.save()
    assert story.get_absolute_url() in found("竹篮")
    assert story.get_absolute_url() in found("竹编合作社")


def test_importing_programs_indexes_them_once_the_import_commits(county, tmp_path):
    rows = [
        ["网址标识", "标题", "区划代码", "类别", "摘要"],
        ["gangnan-bamboo", "港南区竹编合作社", county.code, "产业扶贫", "竹编。"],
    ]
    path = tmp_path / "programs.csv"
    path.write_bytes(rows_to_csv(rows))

    call_command("import", "programs.resources.ProgramResource", str(path), "--noinput")

    entry = SearchEntry.objects.get(program__slug="gangnan-bamboo")
    assert entry.refresh_after is not None  # due: written at commit or next search
    refresh_due()
    entry.refresh_from_db()
    assert " 竹编 " in entry.title_terms and entry.refresh_after is None


def test_rebuild_search_index_writes_every_item(demo, capsys):
    SearchEntry.objects.all().delete()

    call_command("rebuild_search_index")

    assert SearchEntry.objects.filter(story__isnull=False).count() == 4
    assert SearchEntry.objects.filter(program__isnull=False).count() == 15
    assert "人物故事 4 篇，扶贫项目 15 个" in capsys.readouterr().out


def test_due_entries_are_written_when_the_saving_transaction_commits(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        story = StoryFactory(title="小米上了网店")

    entry = SearchEntry.objects.get(story=story)
    assert entry.refresh_after is None
    assert " 小米 " in entry.title_terms


def test_a_new_place_name_in_older_texts_becomes_one_term(county, found):
    story = StoryFactory(body="她家住在藏经庄村。")
    assert found("藏经庄村") == [story.get_absolute_url()]
    assert " 藏经庄村 " not in SearchEntry.objects.get(story=story).body_terms

    Region.objects.create(name="藏经庄村", level=5, parent=county)

    assert found("藏经庄村") == [story.get_absolute_url()]
    assert " 藏经庄村 " in SearchEntry.objects.get(story=story).body_terms


def test_many_saves_in_one_transaction_rewrite_the_index_once(
    db, found, django_capture_on_commit_callbacks
):
    # An import of 100,000 stories is one transaction: one rewrite at the end,
    # not one per story (nor a list of 100,000 callbacks held until then).
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for i in range(3):
            StoryFactory(title=f"竹编合作社{i}")

    assert [c for c in callbacks if c is refresh_due] == [refresh_due]
    assert len(found("竹编合作社")) == 3
