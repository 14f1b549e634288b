"""Chinese word segmentation: the dictionary keeps place, program and policy
names whole, on both the index side and the query side."""

import pytest

from search.terms import as_column, index_terms, query_terms
from tests.factories import RegionFactory


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["浑源县", "雨露计划", "电商扶贫", "易地扶贫搬迁"])
def test_place_and_program_names_are_single_terms(name):
    RegionFactory(name="浑源县", code="140225")

    assert query_terms(name) == [name]
    assert name in index_terms(f"山西省{name}今年的情况")


@pytest.mark.django_db
def test_the_index_keeps_the_shorter_words_inside_a_long_one():
    RegionFactory(name="浑源县", code="140225")

    terms = index_terms("浑源县电商扶贫服务中心")

    assert {"浑源县", "浑源", "电商扶贫", "电商", "扶贫", "服务", "中心"} <= set(terms)


@pytest.mark.django_db
def test_a_new_region_is_a_term_as_soon_as_it_is_saved(county):
    assert query_terms("藏经庄村") != ["藏经庄村"]

    RegionFactory(name="藏经庄村", level=5, code="", parent=county)

    assert query_terms("藏经庄村") == ["藏经庄村"]


@pytest.mark.django_db
def test_full_width_letters_and_case_are_folded():
    assert query_terms("ＪＤ京东") == ["jd", "京东"]


@pytest.mark.django_db
def test_punctuation_and_lone_function_words_are_dropped():
    assert query_terms("的，。！？%_'") == []
    assert query_terms("上学的孩子") == ["上学", "孩子"]


@pytest.mark.django_db
def test_terms_are_letters_and_digits_only():
    terms = index_terms("e-commerce 3.5万元 <script>alert(1)</script> 'OR 1=1 --")

    assert all(term.isalnum() for term in terms)
    assert as_column(["浑源", "浑源县"]) == " 浑源 浑源县 "
