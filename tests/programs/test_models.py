import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from programs.abstract import Qualifier, format_number
from programs.models import Figure, Program, Region
from tests.factories import FigureFactory, ProgramFactory, RegionFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "unit", "qualifier", "after_magnitude", "written"),
    [
        ("2680", "万元", Qualifier.EXACT, False, "2680万元"),
        ("4600", "万元", Qualifier.MORE, False, "4600多万元"),
        ("1.24", "万户", Qualifier.MORE, True, "1.24万多户"),
        ("18", "万元", Qualifier.ODD, True, "18万余元"),
        ("110", "户", Qualifier.ODD, False, "110余户"),
        ("80", "万元", Qualifier.OVER, False, "超过80万元"),
        ("407.86", "万元", Qualifier.EXACT, False, "407.86万元"),
        ("1946.8", "万元", Qualifier.EXACT, False, "1946.8万元"),
        ("100", "%", Qualifier.EXACT, False, "100%"),
        ("12400", "户", Qualifier.EXACT, False, "12,400户"),
    ],
)
def test_a_figure_is_written_the_way_the_source_wrote_it(
    value, unit, qualifier, after_magnitude, written
):
    figure = FigureFactory(
        value=Decimal(value),
        unit=unit,
        qualifier=qualifier,
        qualifier_after_magnitude=after_magnitude,
        indicator=written,
    )
    figure.refresh_from_db()  # stored with four decimal places
    assert figure.display == written


def test_the_qualifier_survives_the_database_round_trip():
    figure = FigureFactory(value=Decimal("4600"), qualifier=Qualifier.MORE)
    assert Figure.objects.get(pk=figure.pk).qualifier == Qualifier.MORE
    assert not Figure.objects.get(pk=figure.pk).is_exact


def test_base_value_expands_wan_and_yi():
    figure = FigureFactory(value=Decimal("4600"), unit="万元")
    assert figure.base_value == Decimal("46000000")
    assert figure.base_unit == "元"


def test_format_number_keeps_small_numbers_ungrouped():
    assert format_number(Decimal("2680.0000")) == "2680"
    assert format_number(Decimal("0.5000")) == "0.5"
    assert format_number(Decimal("47400")) == "47,400"


def test_two_years_of_one_indicator_form_one_series():
    program = ProgramFactory()
    FigureFactory(
        program=program, year=2019, value=Decimal("4600"), qualifier=Qualifier.MORE
    )
    FigureFactory(program=program, year=2018, value=Decimal("2680"))
    FigureFactory(
        program=program, indicator="培训人次", unit="万人", value=Decimal("1.1")
    )
    indicators = {i.name: i for i in program.indicators()}
    sales = indicators["农产品网络零售额"]
    assert sales.is_series
    assert [f.year for f in sales.figures] == [2018, 2019]
    assert not indicators["培训人次"].is_series


def test_region_code_must_be_six_nine_or_twelve_digits():
    with pytest.raises(IntegrityError), transaction.atomic():
        Region.objects.create(name="错误", level=Region.Level.PROVINCE, code="14")


def test_a_county_needs_a_code_but_a_village_may_wait_for_one(county):
    with pytest.raises(IntegrityError), transaction.atomic():
        Region.objects.create(
            name="无代码县", level=Region.Level.COUNTY, parent=county.parent
        )
    village = Region.objects.create(
        name="锦垌村", level=Region.Level.VILLAGE, parent=county
    )
    assert village.slug == "450803-锦垌村"


def test_region_codes_are_unique(county):
    with pytest.raises(IntegrityError), transaction.atomic():
        Region.objects.create(
            name="重复", level=Region.Level.COUNTY, code="450803", parent=county.parent
        )


def test_region_validation_explains_mismatched_codes_and_levels(county):
    region = Region(
        name="天柱县", level=Region.Level.COUNTY, code="522627", parent=county.parent
    )
    with pytest.raises(ValidationError) as excinfo:
        region.full_clean()
    assert "不相符" in str(excinfo.value)
    upside_down = Region(
        name="某省", level=Region.Level.PROVINCE, code="530000", parent=county
    )
    with pytest.raises(ValidationError) as excinfo:
        upside_down.full_clean()
    assert "层级" in str(excinfo.value)


def test_region_knows_its_ancestors_and_descendants(county):
    township = Region.objects.create(
        name="桥圩镇", level=Region.Level.TOWNSHIP, parent=county
    )
    village = Region.objects.create(
        name="锦垌村", level=Region.Level.VILLAGE, parent=township
    )
    assert village.full_name == "广西壮族自治区贵港市港南区桥圩镇锦垌村"
    assert set(county.descendant_ids()) == {county.pk, township.pk, village.pk}


def test_published_means_published_and_due():
    now = timezone.now()
    live = ProgramFactory()
    ProgramFactory(status=Program.Status.DRAFT)
    ProgramFactory(status=Program.Status.REVIEW)
    ProgramFactory(status=Program.Status.ARCHIVED)
    scheduled = ProgramFactory(published_at=now + datetime.timedelta(hours=1))
    assert list(Program.objects.published()) == [live]
    assert not scheduled.is_public


def test_published_content_must_have_a_publication_time():
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgramFactory(published_at=None)


def test_a_program_cannot_end_before_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgramFactory(start_year=2019, end_year=2018)


def test_programs_in_a_region_include_those_below_it(county):
    village = RegionFactory(name="锦垌村", level=5, code="", parent=county)
    here = ProgramFactory(region=county)
    below = ProgramFactory(region=village)
    ProgramFactory()
    assert set(Program.objects.in_region(county)) == {here, below}
