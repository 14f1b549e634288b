import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from programs.models import Category, Figure, Program, Region
from stories.models import Assistance, Household, Measure, Person, Story, StoryPerson


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"测试县{n}")
    level = Region.Level.COUNTY
    code = factory.Sequence(lambda n: f"{450801 + n:06d}")
    parent = None


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    title = factory.Sequence(lambda n: f"测试项目{n}")
    slug = factory.Sequence(lambda n: f"program-{n}")
    region = factory.SubFactory(RegionFactory)
    category = Category.EDUCATION
    summary = "项目摘要。"
    body = "第一段。\n\n第二段。"
    status = Program.Status.PUBLISHED
    published_at = factory.LazyFunction(
        lambda: timezone.now() - datetime.timedelta(days=1)
    )


class FigureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Figure

    program = factory.SubFactory(ProgramFactory)
    indicator = "农产品网络零售额"
    value = Decimal("2680")
    unit = "万元"
    year = 2018


class StoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Story

    title = factory.Sequence(lambda n: f"测试故事{n}")
    slug = factory.Sequence(lambda n: f"story-{n}")
    dek = "导语。"
    body = "第一段。\n\n第二段。"
    region = factory.SubFactory(RegionFactory)
    status = Story.Status.PUBLISHED
    published_at = factory.LazyFunction(
        lambda: timezone.now() - datetime.timedelta(days=1)
    )


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    name = factory.Sequence(lambda n: f"测试户{n}")
    region = factory.SubFactory(RegionFactory)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    real_name = factory.Sequence(lambda n: f"王{'一二三四五六七八九'[n % 9]}{n}")
    birth_year = 1970


class StoryPersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StoryPerson

    story = factory.SubFactory(StoryFactory)
    person = factory.SubFactory(PersonFactory)


class AssistanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assistance

    story = factory.SubFactory(StoryFactory)
    measure = Measure.EDUCATION_AID
    value = Decimal("1500")
    unit = "元"
    period = Assistance.Period.ONCE
