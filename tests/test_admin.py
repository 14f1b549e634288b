import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from programs.models import Program
from stories.models import Story
from tests.factories import ProgramFactory, RegionFactory, StoryFactory

pytestmark = pytest.mark.django_db

ADMIN_MODELS = [
    model
    for model in admin.site._registry
    if model._meta.app_label in {"programs", "stories"}
]


def admin_url(model, action: str, *args) -> str:
    return reverse(
        f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args
    )


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda m: m._meta.model_name)
def test_every_admin_page_an_editor_can_reach_renders_in_chinese(
    client, editor, demo, model
):
    client.force_login(editor)
    changelist = client.get(admin_url(model, "changelist"))
    assert changelist.status_code == 200
    assert "zh-hans" in changelist.text
    obj = model.objects.first()
    assert obj is not None, "the demo should give every model at least one row"
    change = client.get(admin_url(model, "change", obj.pk))
    assert change.status_code == 200
    if editor.has_perm(f"{model._meta.app_label}.add_{model._meta.model_name}"):
        assert client.get(admin_url(model, "add")).status_code == 200
    history = client.get(admin_url(model, "history", obj.pk))
    assert history.status_code == 200


def test_the_admin_index_lists_both_apps_for_an_editor(client, editor):
    client.force_login(editor)
    page = client.get(reverse("admin:index"))
    assert "扶贫项目" in page.text and "人物故事" in page.text


def test_changelist_search_filters_and_date_hierarchy_work(client, editor, demo):
    client.force_login(editor)
    url = admin_url(Story, "changelist")
    assert client.get(url, {"q": "潘"}).status_code == 200
    assert client.get(url, {"status__exact": "published"}).status_code == 200
    assert client.get(url, {"published_at__year": "2019"}).status_code == 200
    assert (
        client.get(
            admin_url(Program, "changelist"), {"category__exact": "ecommerce"}
        ).status_code
        == 200
    )


def test_region_autocomplete_answers_for_an_editor(client, editor, demo):
    client.force_login(editor)
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "term": "浑源",
            "app_label": "programs",
            "model_name": "program",
            "field_name": "region",
        },
    )
    assert response.status_code == 200
    assert "浑源县" in response.json()["results"][0]["text"]


def test_the_story_change_page_shows_the_assistance_totals(client, editor, demo):
    client.force_login(editor)
    story = Story.objects.filter(assistance__isnull=False).first()
    page = client.get(admin_url(Story, "change", story.pk))
    for total in story.assistance_totals():
        assert total.display in page.text


def story_form(region, **overrides):
    data = {
        "title": "锦垌村的新学期",
        "slug": "",
        "dek": "导语",
        "body": "正文",
        "byline": "",
        "region": region.pk,
        "published_at_0": "",
        "published_at_1": "",
        "outcome": "",
        "source_publication": "",
        "source_date": "",
    }
    for prefix in ("storyperson_set", "assistance", "outcomes", "photos"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    data.update(overrides)
    return data


def test_an_empty_slug_is_filled_in_from_the_title_pinyin(client, editor):
    region = RegionFactory()
    client.force_login(editor)
    response = client.post(admin_url(Story, "add"), story_form(region))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Story.objects.get().slug == "jin-dong-cun-de-xin-xue-qi"


def test_a_forged_status_field_does_not_publish(client, editor):
    region = RegionFactory()
    now = timezone.localtime()
    data = story_form(
        region,
        status="published",
        published_at_0=now.strftime("%Y-%m-%d"),
        published_at_1=now.strftime("%H:%M:%S"),
    )
    client.force_login(editor)
    assert client.post(admin_url(Story, "add"), data).status_code == 302
    # Status changes only through the workflow's transitions.
    assert Story.objects.get().status == Story.Status.DRAFT


def test_an_author_may_not_touch_programs(client, author):
    client.force_login(author)
    program = ProgramFactory()
    assert client.get(admin_url(Program, "changelist")).status_code == 200
    assert client.get(admin_url(Program, "add")).status_code == 403
    assert (
        client.post(
            admin_url(Program, "delete", program.pk), {"post": "yes"}
        ).status_code
        == 403
    )


def test_only_a_reviewer_deletes_a_story(client, editor, reviewer):
    story = StoryFactory()
    client.force_login(editor)
    assert (
        client.post(admin_url(Story, "delete", story.pk), {"post": "yes"}).status_code
        == 403
    )
    client.force_login(reviewer)
    assert (
        client.post(admin_url(Story, "delete", story.pk), {"post": "yes"}).status_code
        == 302
    )
    assert not Story.objects.exists()
