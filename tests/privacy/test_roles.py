"""What each role may see and change of the people in the stories (issue 20,
findings 1, 8 and 9): authors change only people in nothing but their own
drafts, see real names only of people their own stories concern, never see
consent scans, and share previews only of what they may edit; every change to
a person, household or consent is a version and an audit entry."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from editorial.models import AuditEntry
from privacy.models import Consent
from stories.models import Assistance, Household, Person, Story
from tests.editorial.helpers import admin_url, change_form_data, form_errors
from tests.factories import (
    ConsentFactory,
    HouseholdFactory,
    PersonFactory,
    StoryFactory,
    StoryPersonFactory,
)
from tests.privacy.test_exports import export

pytestmark = pytest.mark.django_db

CHILD_STORY = "jindong-schoolboy-grandparents"
YE_STORY = "jindong-job-closer-to-home"


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def chief(db):
    return get_user_model().objects.create_superuser("chief", password="x")


def form_as_chief(chief, obj, **changes) -> dict:
    """The change form of `obj` as a superuser's browser would post it back,
    with `changes`: what a forged request from anyone else would send."""
    browser = Client()
    browser.force_login(chief)
    return change_form_data(browser.get(admin_url(obj, "change", obj.pk)), **changes)


@pytest.fixture
def own_draft(author):
    """The author's draft, about a woman no other story concerns."""
    story = StoryFactory(
        title="潘秀英的合作社",
        status=Story.Status.DRAFT,
        published_at=None,
        created_by=author,
    )
    person = PersonFactory(real_name="潘秀英", description="合作社社员")
    StoryPersonFactory(story=story, person=person)
    ConsentFactory(person=person)
    return story


def public_text(client, slug: str) -> str:
    client.logout()
    response = client.get(reverse("stories:detail", args=[slug]))
    assert response.status_code == 200
    return response.text


# Finding 1: people and households have owners ------------------------------------


def test_an_author_emptying_the_grandfathers_household_is_refused_the_boy_stays_masked(
    client, demo, author, chief
):
    grandfather = Person.objects.get(real_name="潘蔼章")
    data = form_as_chief(chief, grandfather, household="")
    client.force_login(author)
    response = client.post(admin_url(grandfather, "change", grandfather.pk), data)
    assert response.status_code == 403
    grandfather.refresh_from_db()
    assert grandfather.household is not None
    page = public_text(client, CHILD_STORY)
    assert "潘某" in page
    assert "潘蔼章" not in page
    assert "张仕娣" not in page


@pytest.mark.parametrize("page", ["household", "person"])
def test_an_author_clearing_the_boys_age_is_refused(client, demo, author, chief, page):
    boy = Person.objects.get(real_name="潘长君")
    if page == "household":
        obj = boy.household
        data = form_as_chief(chief, obj)
        index = next(
            i
            for i in range(int(data["members-TOTAL_FORMS"]))
            if data[f"members-{i}-id"] == str(boy.pk)
        )
        data[f"members-{index}-age"] = ""
    else:
        obj = boy
        data = form_as_chief(chief, boy, age="")
    client.force_login(author)
    assert client.get(admin_url(obj, "change", obj.pk)).status_code in (200, 403)
    response = client.post(admin_url(obj, "change", obj.pk), data)
    assert response.status_code == 403
    boy.refresh_from_db()
    assert boy.age == 13
    page = public_text(client, CHILD_STORY)
    assert "潘长君" not in page
    assert "潘某" in page


def test_an_author_changes_a_person_only_while_he_is_in_nothing_but_her_own_drafts(
    client, author, other_author, own_draft
):
    person = Person.objects.get(real_name="潘秀英")
    client.force_login(author)
    url = admin_url(person, "change", person.pk)
    page = client.get(url)
    assert 'name="_save"' in page.text
    response = client.post(url, change_form_data(page, description="合作社理事"))
    assert response.status_code == 302, form_errors(response)
    person.refresh_from_db()
    assert person.description == "合作社理事"

    # Once another author's story features her, she is no longer this
    # author's alone to change.
    StoryPersonFactory(
        story=StoryFactory(
            created_by=other_author, status=Story.Status.DRAFT, published_at=None
        ),
        person=person,
    )
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.text
    data = change_form_data(page, description="被改掉的简介")
    assert client.post(url, data).status_code == 403
    person.refresh_from_db()
    assert person.description == "合作社理事"


def test_a_person_in_no_story_is_anyones_to_change_but_not_once_his_household_is_in_one(
    client, demo, author
):
    loner = PersonFactory(real_name="韦光明")
    client.force_login(author)
    page = client.get(admin_url(loner, "change", loner.pk))
    assert 'name="_save"' in page.text
    # A member of the boy's household protects him, or unmasks him by leaving.
    loner.household = Household.objects.get(name="潘蔼章户")
    loner.save()
    response = client.post(
        admin_url(loner, "change", loner.pk), change_form_data(page, household="")
    )
    assert response.status_code == 403


# Versions and audit entries ---------------------------------------------------------


def audit_of(obj) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            content_type__model=obj._meta.model_name, object_id=str(obj.pk)
        )
    )


def test_an_editor_changing_a_display_policy_leaves_a_version_and_an_audit_entry(
    client, demo, editor
):
    person = Person.objects.get(real_name="叶寿恒")
    client.force_login(editor)
    url = admin_url(person, "change", person.pk)
    data = change_form_data(client.get(url), display_policy="surname")
    response = client.post(url, data)
    assert response.status_code == 302, form_errors(response)
    version = Version.objects.get_for_object(person).get()
    assert version.field_dict["display_policy"] == "surname"
    assert version.revision.user == editor
    [entry] = audit_of(person)
    assert (entry.username, entry.action) == ("editor", AuditEntry.Action.EDIT)
    assert entry.object_repr == "叶寿恒"
    assert "公开显示方式" in entry.message
    # The history page lists the version.
    history = client.get(admin_url(person, "history", person.pk))
    assert reverse("admin:stories_person_revision", args=[person.pk, version.pk]) in (
        history.text
    )


def test_a_consent_changed_on_the_persons_page_is_versioned_and_audited(
    client, demo, editor
):
    person = Person.objects.get(real_name="叶寿恒")
    consent = person.consents.get()
    client.force_login(editor)
    url = admin_url(person, "change", person.pk)
    data = change_form_data(client.get(url))
    data["consents-0-withdrawn_on"] = "2020-01-01"
    response = client.post(url, data)
    assert response.status_code == 302, form_errors(response)
    version = Version.objects.get_for_object(consent).get()
    assert version.field_dict["withdrawn_on"].isoformat() == "2020-01-01"
    [entry] = audit_of(person)
    assert entry.username == "editor"
    assert "同意记录" in entry.message


def test_a_consent_changed_on_its_own_page_is_versioned_and_audited(
    client, demo, editor
):
    consent = Person.objects.get(real_name="叶寿恒").consents.get()
    client.force_login(editor)
    url = admin_url(consent, "change", consent.pk)
    data = change_form_data(client.get(url), covers_photo="")
    del data["covers_photo"]
    response = client.post(url, data)
    assert response.status_code == 302, form_errors(response)
    consent.refresh_from_db()
    assert not consent.covers_photo
    assert Version.objects.get_for_object(consent).get().revision.user == editor
    [entry] = audit_of(consent)
    assert (entry.username, entry.action) == ("editor", AuditEntry.Action.EDIT)
    assert "叶寿恒" in entry.object_repr


def test_a_household_change_is_versioned_with_its_members_and_audited(
    client, demo, editor
):
    household = Household.objects.get(name="叶寿恒户")
    client.force_login(editor)
    url = admin_url(household, "change", household.pk)
    response = client.post(url, change_form_data(client.get(url), size="4"))
    assert response.status_code == 302, form_errors(response)
    version = Version.objects.get_for_object(household).get()
    assert version.field_dict["size"] == 4
    members = {v.object_repr for v in version.revision.version_set.all()}
    assert {"叶寿恒", "庞春梅"} <= members
    [entry] = audit_of(household)
    assert (entry.username, entry.action) == ("editor", AuditEntry.Action.EDIT)


def test_people_added_and_deleted_one_by_one_or_in_bulk_are_audited_and_recoverable(
    client, reviewer
):
    client.force_login(reviewer)
    response = client.post(
        admin_url(Person, "add"),
        {
            "real_name": "韦光明",
            "display_policy": "surname",
            "consents-TOTAL_FORMS": "0",
            "consents-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, form_errors(response)
    first = Person.objects.get(real_name="韦光明")
    assert [e.action for e in audit_of(first)] == [AuditEntry.Action.CREATE]
    others = [PersonFactory(real_name=name) for name in ("韦光亮", "韦光辉")]
    response = client.post(
        admin_url(first, "delete", first.pk), {"post": "yes"}, follow=False
    )
    assert response.status_code == 302
    response = client.post(
        admin_url(Person, "changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [p.pk for p in others],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert not Person.objects.filter(real_name__startswith="韦光").exists()
    deleted = AuditEntry.objects.filter(action=AuditEntry.Action.DELETE)
    assert sorted(deleted.values_list("object_repr", flat=True)) == [
        "韦光亮",
        "韦光明",
        "韦光辉",
    ]
    recoverable = Version.objects.get_deleted(Person)
    assert {v.object_repr for v in recoverable} == {"韦光明", "韦光亮", "韦光辉"}


# Finding 8: what authors see ---------------------------------------------------------


def test_an_author_may_not_download_a_consent_scan_nor_see_consents(
    client, author, own_draft
):
    person = Person.objects.get(real_name="潘秀英")
    consent = ConsentFactory(
        person=person,
        document=SimpleUploadedFile("signed.pdf", b"%PDF-1.4 signed"),
    )
    client.force_login(author)
    for url in (admin_url(Consent, "document", consent.pk), consent.document.url):
        assert client.get(url).status_code == 403, url
    assert client.get(admin_url(Consent, "changelist")).status_code == 403
    # Her own person's page, without the consents.
    page = client.get(admin_url(person, "change", person.pk))
    assert page.status_code == 200
    assert "consents-TOTAL_FORMS" not in page.text
    assert consent.document.url not in page.text


def test_the_authors_person_list_masks_people_outside_her_stories(
    client, demo, author, own_draft
):
    client.force_login(author)
    page = client.get(admin_url(Person, "changelist")).text
    for name in ("潘蔼章", "张仕娣", "潘长君", "叶寿恒", "叶寿恒户", "潘蔼章户"):
        assert name not in page, name
    assert "潘某" in page and "叶某" in page and "叶某户" in page
    assert "潘秀英" in page
    own = Person.objects.get(real_name="潘秀英")
    assert admin_url(own, "change", own.pk) in page
    # Masked rows link nowhere, and their pages are refused.
    grandfather = Person.objects.get(real_name="潘蔼章")
    assert admin_url(grandfather, "change", grandfather.pk) not in page
    assert client.get(admin_url(grandfather, "change", grandfather.pk)).status_code == (
        403
    )
    assert client.get(
        admin_url(grandfather, "history", grandfather.pk)
    ).status_code == (403)


def test_the_authors_household_list_masks_households_outside_her_stories(
    client, demo, author, own_draft
):
    HouseholdFactory(name="潘秀英户").members.add(
        Person.objects.get(real_name="潘秀英")
    )
    client.force_login(author)
    page = client.get(admin_url(Household, "changelist")).text
    assert "潘蔼章户" not in page and "叶寿恒户" not in page
    assert "潘某户" in page and "叶某户" in page
    assert "潘秀英户" in page
    pan = Household.objects.get(name="潘蔼章户")
    assert client.get(admin_url(pan, "change", pan.pk)).status_code == 403


def autocomplete(client, model_name: str, field_name: str, term: str) -> list[str]:
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "stories",
            "model_name": model_name,
            "field_name": field_name,
            "term": term,
        },
    )
    assert response.status_code == 200
    return [r["text"] for r in response.json()["results"]]


@pytest.mark.parametrize(
    ("model_name", "field_name"),
    [
        ("storyperson", "person"),
        ("assistance", "recipient"),
        ("outcome", "person"),
        ("storyphoto", "people_shown"),
    ],
)
def test_the_authors_autocomplete_masks_people_outside_her_stories(
    client, demo, author, own_draft, model_name, field_name
):
    client.force_login(author)
    found = autocomplete(client, model_name, field_name, "潘")
    assert "潘秀英" in found
    assert "潘某" in found
    for name in ("潘蔼章", "潘长君"):
        assert name not in found


def test_searching_a_real_name_finds_no_one_outside_the_authors_stories(
    client, demo, author, own_draft
):
    client.force_login(author)
    for term in ("潘蔼章", "蔼章", "叶寿恒", "叶寿恒户", "锦垌村村民"):
        assert autocomplete(client, "storyperson", "person", term) == [], term
        page = client.get(admin_url(Person, "changelist"), {"q": term})
        assert page.context["cl"].result_count == 0, term
    assert autocomplete(client, "storyperson", "person", "潘秀英") == ["潘秀英"]
    households = client.get(admin_url(Household, "changelist"), {"q": "潘蔼章"})
    assert households.context["cl"].result_count == 0
    assert autocomplete(client, "person", "household", "叶寿恒") == []
    assert autocomplete(client, "person", "household", "叶某") == ["叶某户"]


def test_the_authors_assistance_list_masks_recipients_outside_her_stories(
    client, demo, author
):
    client.force_login(author)
    page = client.get(admin_url(Assistance, "changelist"))
    assert page.status_code == 200
    assert "潘长君" not in page.text and "张仕娣" not in page.text
    assert "潘某" in page.text or "张某" in page.text


def test_the_authors_person_export_masks_people_outside_her_stories(
    client, demo, author, own_draft
):
    text = export(
        client,
        author,
        "person",
        ["personresource_real_name", "personresource_household"],
    )
    for name in ("潘蔼章", "叶寿恒", "庞春梅", "叶寿恒户"):
        assert name not in text, name
    assert "叶某" in text and "叶某户" in text
    assert "潘秀英" in text


def test_a_person_chosen_on_a_refused_form_is_named_as_the_author_may_see_him(
    client, demo, author, own_draft
):
    grandfather = Person.objects.get(real_name="潘蔼章")
    client.force_login(author)
    url = admin_url(own_draft, "change", own_draft.pk)
    data = change_form_data(client.get(url), title="")
    data["storyperson_set-TOTAL_FORMS"] = str(
        int(data["storyperson_set-TOTAL_FORMS"]) + 1
    )
    index = int(data["storyperson_set-TOTAL_FORMS"]) - 1
    data[f"storyperson_set-{index}-person"] = str(grandfather.pk)
    data[f"storyperson_set-{index}-order"] = "1"
    response = client.post(url, data)
    assert response.status_code == 200  # refused: the title is empty
    assert "潘蔼章" not in response.text
    assert f'<option value="{grandfather.pk}" selected>潘某</option>' in response.text


# Finding 9: share-preview links ------------------------------------------------------


def test_an_author_may_not_share_a_preview_of_another_authors_draft(
    client, author, other_author, own_draft
):
    theirs = StoryFactory(
        title="别人的草稿",
        status=Story.Status.DRAFT,
        published_at=None,
        created_by=other_author,
    )
    client.force_login(author)
    change_page = client.get(admin_url(theirs, "change", theirs.pk))
    assert admin_url(theirs, "share_preview", theirs.pk) not in change_page.text
    response = client.post(admin_url(theirs, "share_preview", theirs.pk))
    assert response.status_code == 403
    assert "/preview/s/" not in response.text
    assert not AuditEntry.objects.filter(action="share_preview").exists()

    # Her own draft: the button, and a link.
    change_page = client.get(admin_url(own_draft, "change", own_draft.pk))
    assert admin_url(own_draft, "share_preview", own_draft.pk) in change_page.text
    response = client.post(admin_url(own_draft, "share_preview", own_draft.pk))
    assert response.status_code == 200
    assert response.context["link"].startswith("http://testserver/preview/s/")


def test_an_author_reads_someone_elses_story_as_readers_will(client, demo, author):
    story = Story.objects.get(slug="jindong-schoolboy-grandparents")
    client.force_login(author)
    response = client.get(admin_url(story, "change", story.pk), follow=True)
    assert response.redirect_chain[0][1] == 302
    text = response.content.decode()
    assert "潘某" in text
    for name in ("潘长君", "潘蔼章", "张仕娣"):
        assert name not in text
