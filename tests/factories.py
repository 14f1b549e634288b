import datetime
from decimal import Decimal
from io import BytesIO

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from privacy.models import Consent
from programs.models import Category, Figure, Program, Region
from stories.models import (
    Assistance,
    Household,
    Measure,
    Outcome,
    Person,
    Story,
    StoryPerson,
    StoryPhoto,
)


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


class ConsentFactory(factory.django.DjangoModelFactory):
    """A consent given in person, covering everything unless told otherwise."""

    class Meta:
        model = Consent

    person = factory.SubFactory(PersonFactory)
    given_by = Consent.GivenBy.PERSON
    given_on = datetime.date(2019, 10, 1)
    method = Consent.Method.SIGNED_FORM
    covers_real_name = True
    covers_photo = True
    covers_health = True
    covers_financial = True

    class Params:
        guardian = factory.Trait(
            given_by=Consent.GivenBy.GUARDIAN,
            guardian_name="潘蔼章",
            guardian_relationship="祖父",
        )


class OutcomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outcome

    story = factory.SubFactory(StoryFactory)
    description = "月收入"
    value = Decimal("3000")
    unit = "元"
    period_label = "每月"


class StoryPhotoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StoryPhoto

    story = factory.SubFactory(StoryFactory)
    caption = "图片说明。"
    credit = "本报记者摄"
    alt_text = "替代文字"


def jpeg(name: str, size=(1200, 800)) -> SimpleUploadedFile:
    out = BytesIO()
    Image.new("RGB", size, "green").save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def photo_of_ye_at_work(alt_text: str = "叶寿恒在木板厂搬运木板") -> StoryPhoto:
    """A photo on 叶寿恒's demo story showing him, with his consent: public."""
    photo = StoryPhoto.objects.create(
        story=Story.objects.get(people__real_name="叶寿恒"),
        image=jpeg("ye.jpg"),
        caption="叶寿恒在木板厂上班。",
        credit="杨亚俊摄",
        alt_text=alt_text,
    )
    photo.people_shown.add(Person.objects.get(real_name="叶寿恒"))
    return photo
