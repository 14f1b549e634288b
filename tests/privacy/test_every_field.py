"""A protected name written in any of a program's or a story's smaller fields
(lead organisation, figures, their periods and sources, photo credits, the
byline) is shown to readers the way the title and body show it: never as
written, on any page, chart, download or search result."""

import re
from decimal import Decimal

import pytest
from django.utils import timezone

from programs.models import ProgramPhoto
from stories.models import StoryPhoto
from tests.factories import (
    ConsentFactory,
    FigureFactory,
    PersonFactory,
    ProgramFactory,
    StoryFactory,
    StoryPersonFactory,
)

NAME = "王小明"  # featured in a story, with no consent: readers see 王某
RESULT_LINK = re.compile(r'<li class="search-result">\s*<h3[^>]*><a href="([^"]+)"')


@pytest.fixture
def named_everywhere(db):
    """王小明's name in every small field of a program and of his story."""
    story = StoryFactory(byline=f"{NAME}口述 本报记者整理", body=f"{NAME}家住在村里。")
    StoryPersonFactory(story=story, person=PersonFactory(real_name=NAME))
    program = ProgramFactory(
        title=f"{NAME}家门口的就业",
        lead_organisation=f"{NAME}家庭农场",
        source_publication=f"{NAME}村务公开栏",
        source_byline=f"{NAME}口述",
        is_featured=True,
    )
    story.programs.add(program)
    for year, value, extra in [
        (2018, "3000", {"is_headline": True, "source_note": f"{NAME}提供"}),
        (2019, "5000", {"period_label": f"{NAME}脱贫当年"}),
    ]:
        FigureFactory(
            program=program,
            indicator=f"{NAME}家庭年收入",
            value=Decimal(value),
            unit="元",
            year=year,
            **extra,
        )
    credit = f"{NAME}供图"
    ProgramPhoto.objects.create(program=program, caption="合作社。", credit=credit)
    StoryPhoto.objects.create(story=story, caption="老屋。", credit=credit)
    return story, program


def read(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode("utf-8-sig")


@pytest.mark.parametrize(
    "page",
    [
        "home",
        "home in English",
        "program",
        "program in English",
        "program brief",
        "program figures.csv",
        "program figures.json",
        "region",
        "story",
    ],
)
def test_no_page_or_download_writes_the_name(client, named_everywhere, page):
    story, program = named_everywhere
    url = {
        "home": "/",
        "home in English": "/en/",
        "program": program.get_absolute_url(),
        "program in English": "/en" + program.get_absolute_url(),
        "program brief": program.get_absolute_url() + "brief/",
        "program figures.csv": program.get_absolute_url() + "figures.csv",
        "program figures.json": program.get_absolute_url() + "figures.json",
        "region": program.region.get_absolute_url(),
        "story": story.get_absolute_url(),
    }[page]
    text = read(client, url)
    assert NAME not in text
    assert "王某" in text


def test_the_program_page_still_shows_every_field_redacted(client, named_everywhere):
    _story, program = named_everywhere
    text = read(client, program.get_absolute_url())
    for field in ["家庭农场", "家庭年收入", "脱贫当年", "提供", "供图"]:
        assert f"王某{field}" in text


def test_searching_the_name_finds_no_program(client, named_everywhere):
    _story, program = named_everywhere
    found = RESULT_LINK.findall(read(client, f"/search/?q={NAME}"))
    assert program.get_absolute_url() not in found


def test_a_withdrawn_name_in_a_program_caption_stops_finding_it(client, db):
    person = PersonFactory(real_name="李春花")
    consent = ConsentFactory(person=person)
    StoryPersonFactory(story=StoryFactory(), person=person)
    program = ProgramFactory(title="合作社养鸡")
    ProgramPhoto.objects.create(program=program, caption="李春花在合作社喂鸡。")
    assert program.get_absolute_url() in RESULT_LINK.findall(
        read(client, "/search/?q=李春花")
    )

    consent.withdrawn_on = timezone.localdate()
    consent.save()

    assert "李某在合作社喂鸡" in read(client, program.get_absolute_url())
    found = RESULT_LINK.findall(read(client, "/search/?q=李春花"))
    assert program.get_absolute_url() not in found
