import re
from decimal import Decimal

import pytest
from django.template.loader import render_to_string

from programs.abstract import Qualifier
from programs.models import Indicator, Program
from programs.templatetags.charts import WIDTH, describe, indicator_chart, text_width
from tests.factories import FigureFactory, ProgramFactory

pytestmark = pytest.mark.django_db


def series(*figures: tuple[str, str, str], unit: str = "万元") -> Indicator:
    """An indicator from (period label, value, qualifier) triples."""
    program = ProgramFactory()
    made = [
        FigureFactory(
            program=program,
            indicator="农产品网络零售额",
            period_label=label,
            year=2016 + n,
            value=Decimal(value),
            unit=unit,
            qualifier=qualifier,
        )
        for n, (label, value, qualifier) in enumerate(figures)
    ]
    return Indicator("农产品网络零售额", "元", made)


def test_the_description_says_where_a_series_went():
    rising = series(("2018年", "2680", "exact"), ("截至2019年11月", "4600", "more"))
    assert describe(rising).startswith(
        "从2018年的2680万元增加到截至2019年11月的4600多万元。"
    )
    falling = series(("2017年", "90", "exact"), ("2018年", "60", "exact"))
    assert describe(falling).startswith("从2017年的90万元减少到2018年的60万元。")


def test_the_description_names_a_peak_that_is_not_the_end():
    peaked = series(
        ("2016年", "10", "exact"), ("2017年", "50", "exact"), ("2018年", "30", "exact")
    )
    text = describe(peaked)
    assert "增加到2018年的30万元，最高为2017年的50万元。" in text
    # Then every figure, for a listener who wants them all.
    assert "2016年：10万元；2017年：50万元；2018年：30万元" in text


def test_a_chart_is_an_image_named_and_described_with_a_data_table():
    indicator = series(("2018年", "2680", "exact"), ("2019年", "4600", "more"))
    html = render_to_string("includes/indicator_chart.html", indicator_chart(indicator))
    svg = re.search(r"<svg[^>]*>", html).group(0)
    assert 'role="img"' in svg
    title_id, desc_id = re.search(r'aria-labelledby="([^" ]+) ([^"]+)"', svg).groups()
    assert f'<title id="{title_id}">农产品网络零售额</title>' in html
    assert re.search(rf'<desc id="{desc_id}">从2018年的2680万元增加到', html)
    # A real table with every figure, for those who would rather read numbers.
    table = html[html.index("<details") : html.index("</details>")]
    assert "<table" in table and '<th scope="col"' in table
    assert '<td class="num">2680万元</td>' in table
    assert '<td class="num">4600多万元</td>' in table
    # 多 is drawn as a hatched piece, and the legend says so.
    assert "chart-approx" in html and "斜线" in html


@pytest.mark.parametrize(
    "labels",
    [
        ["2018年", "2019年"],
        ["2019年8月底起不到一个月", "截至2019年11月"],  # long: set above the bars
    ],
)
def test_values_stay_inside_the_chart_at_any_width(labels):
    indicator = series(
        (labels[0], "1946.8", Qualifier.EXACT),
        (labels[1], "123456789", Qualifier.MORE),
    )
    context = indicator_chart(indicator)
    for bar in context["bars"]:
        assert bar.value_x + text_width(bar.value) <= WIDTH
        assert bar.width >= 0


def test_a_program_page_charts_series_and_shows_single_figures_as_numbers(client, demo):
    program = Program.objects.get(slug="hunyuan-ecommerce")
    page = client.get(program.get_absolute_url()).text
    glance = page[page.index('id="charts-title"') : page.index('id="data-title"')]
    # The series is a chart; the one-figure indicators are big numbers.
    assert glance.count("<svg") == 1
    assert "农产品网络零售额" in glance
    for single in ["2000平方米", "100多种", "70%", "1.1万人"]:
        assert f'<p class="stat-value">{single}</p>' in glance
    # And every figure is in the page's data table too.
    table = page[page.index('id="data"') :]
    for figure in program.figures.all():
        assert figure.display in table


def test_every_chart_on_every_program_page_has_its_table(client, demo):
    for program in Program.objects.published():
        page = client.get(program.get_absolute_url()).text
        assert page.count("<svg") == page.count('<details class="chart-data">')
        assert page.count("<title id=") == page.count("<desc id=")
