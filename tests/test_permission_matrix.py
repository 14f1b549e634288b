"""Every role × every model × every action, tried through the admin as that
person would, against what the roles promise (README, "Editors' admin" and
"Editorial workflow"):

- 作者 (authors) write stories, people, households and their details; they
  view programs, regions and causes, not consents; they edit only their own
  drafts, and delete only lines of those drafts; they change only people and
  households in nothing but their own drafts, and see no one else's (here,
  the demo's people, in published stories);
- 编辑 (editors) edit all stories, programs, figures, photos and regions, and
  consents; they delete lines, never whole items;
- 导入 (importers, here an editor in the group) also import spreadsheets;
- 审核 (reviewers) may do all of that and publish, delete, see the real
  names behind protected ones, and read the impact assessments and the audit
  log (both read-only: no one writes history);
- superusers may do anything, including the staff accounts and login lockouts;
- readers (not logged in) get the login page for every admin address.

An action is allowed when its page opens (200) and, for "change", when the
form can be saved; refused when the admin answers 403, shows the item read
only, or (for readers) sends to the login page."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import NoReverseMatch, reverse

from editorial.models import AuditEntry
from privacy.models import Consent, ImpactAssessment
from programs.models import Figure, Program, Region
from stories.models import Assistance, Cause, Household, Person, Story, StoryPerson
from tests.conftest import staff_user
from tests.editorial.helpers import change_form_data
from tests.imports.conftest import ensure_importers_group
from tests.privacy.test_exports import PROTECTED, export

pytestmark = pytest.mark.django_db

ACTIONS = ("view", "add", "change", "delete", "publish", "import", "export")
ROLES = ("reader", "作者", "编辑", "导入", "审核", "superuser")

ALL = set(ACTIONS)
EDIT = {"view", "add", "change"}
SHEET = {"export"}

# What each role may do with each kind of item. "own draft" is a story the
# author wrote and has not submitted; "story" and "program" are someone
# else's drafts.
PROMISES: dict[str, dict[str, set[str]]] = {
    "story": {
        # An author reads others' stories as readers will (the preview).
        "作者": {"add"} | SHEET,
        "编辑": EDIT | SHEET,
        "导入": EDIT | SHEET | {"import"},
        "审核": EDIT | SHEET | {"delete", "publish"},
    },
    "own draft": {
        "作者": EDIT | SHEET,
        "编辑": EDIT | SHEET,
        "导入": EDIT | SHEET | {"import"},
        "审核": EDIT | SHEET | {"delete", "publish"},
    },
    "assistance line": {
        "作者": {"view", "add"} | SHEET,
        "编辑": EDIT | SHEET | {"delete"},
        "导入": EDIT | SHEET | {"delete", "import"},
        "审核": EDIT | SHEET | {"delete"},
    },
    "line of own draft": {
        "作者": EDIT | SHEET | {"delete"},
        "编辑": EDIT | SHEET | {"delete"},
        "导入": EDIT | SHEET | {"delete", "import"},
        "审核": EDIT | SHEET | {"delete"},
    },
    "person": {
        "作者": {"add"} | SHEET,
        "编辑": EDIT | SHEET,
        "导入": EDIT | SHEET | {"import"},
        "审核": EDIT | SHEET | {"delete"},
    },
    "person of own draft": {
        "作者": EDIT | SHEET,
        "编辑": EDIT | SHEET,
        "导入": EDIT | SHEET | {"import"},
        "审核": EDIT | SHEET | {"delete"},
    },
    "household": {
        "作者": {"add"},
        "编辑": EDIT,
        "导入": EDIT,
        "审核": EDIT | {"delete"},
    },
    "household of own draft": {
        "作者": EDIT,
        "编辑": EDIT,
        "导入": EDIT,
        "审核": EDIT | {"delete"},
    },
    "program": {
        "作者": {"view"} | SHEET,
        "编辑": EDIT | SHEET,
        "导入": EDIT | SHEET | {"import"},
        "审核": EDIT | SHEET | {"delete", "publish"},
    },
    "figure": {
        "作者": {"view"} | SHEET,
        "编辑": EDIT | SHEET | {"delete"},
        "导入": EDIT | SHEET | {"delete", "import"},
        "审核": EDIT | SHEET | {"delete"},
    },
    "region": {
        "作者": {"view"} | SHEET,
        "编辑": EDIT | SHEET,
        "导入": EDIT | SHEET | {"import"},
        "审核": EDIT | SHEET | {"delete"},
    },
    "cause": {
        "作者": {"view"},
        "编辑": {"view"},
        "导入": {"view"},
        "审核": EDIT | {"delete"},
    },
    "consent": {
        "编辑": EDIT,
        "导入": EDIT,
        "审核": EDIT | {"delete"},
    },
    "impact assessment": {"审核": {"view"}},
    "audit entry": {"审核": {"view"}},
    "staff account": {},
    "login lockout": {},
}
# Superusers: everything each kind of item offers. Readers: nothing.
OFFERED = {
    "story": ALL,
    "own draft": ALL,
    "assistance line": EDIT | {"delete", "import", "export"},
    "line of own draft": EDIT | {"delete", "import", "export"},
    "person": EDIT | {"delete", "import", "export"},
    "person of own draft": EDIT | {"delete", "import", "export"},
    "household": EDIT | {"delete"},
    "household of own draft": EDIT | {"delete"},
    "program": ALL,
    "figure": EDIT | {"delete", "import", "export"},
    "region": EDIT | {"delete", "import", "export"},
    "cause": EDIT | {"delete"},
    "consent": EDIT | {"delete"},
    "impact assessment": {"view"},
    "audit entry": {"view"},
    "staff account": EDIT | {"delete"},
    "login lockout": {"view", "change", "delete"},
}


def promised(role: str, item: str) -> set[str]:
    if role == "superuser":
        return OFFERED[item]
    if role == "reader":
        return set()
    return PROMISES[item].get(role, set())


@pytest.fixture
def people(demo):
    ensure_importers_group()
    author = staff_user("author", "作者")
    importer = staff_user("importer", "编辑")
    importer.groups.add(ensure_importers_group())
    return {
        "reader": None,
        "作者": author,
        "编辑": staff_user("editor", "编辑"),
        "导入": importer,
        "审核": staff_user("reviewer", "审核"),
        "superuser": get_user_model().objects.create_superuser("chief", password="x"),
    }


@pytest.fixture
def items(people):
    from axes.models import AccessAttempt

    story = Story.objects.filter(assistance__isnull=False).first()
    story.status = Story.Status.DRAFT
    story.save()
    own = Story.objects.exclude(pk=story.pk).first()
    own.status, own.created_by = Story.Status.DRAFT, people["作者"]
    own.save()
    program = Program.objects.first()
    program.status = Program.Status.DRAFT
    program.save()
    assessment = ImpactAssessment.objects.create(
        story=story,
        story_title=story.title,
        published="收入与救助",
        purpose="报道帮扶成效",
        consents="本人书面同意",
        approved_by_name="reviewer",
        keep_until=datetime.date(2099, 1, 1),
    )
    line_of_own = Assistance.objects.filter(story=story).first()
    line_of_own.pk, line_of_own.story = None, own
    line_of_own.save()
    own_household = Household.objects.create(name="黄秀英户", region=own.region)
    own_person = Person.objects.create(real_name="黄秀英", household=own_household)
    StoryPerson.objects.create(story=own, person=own_person)
    return {
        "story": story,
        "own draft": own,
        "assistance line": Assistance.objects.filter(story=story).first(),
        "line of own draft": line_of_own,
        "person": Person.objects.get(real_name="潘蔼章"),
        "person of own draft": own_person,
        "household": Household.objects.get(name="潘蔼章户"),
        "household of own draft": own_household,
        "program": program,
        "figure": Figure.objects.first(),
        "region": Region.objects.first(),
        "cause": Cause.objects.first(),
        "consent": Consent.objects.first(),
        "impact assessment": assessment,
        "audit entry": AuditEntry.objects.create(
            username="reviewer",
            action=AuditEntry.Action.PUBLISH,
            content_type=ContentType.objects.get_for_model(Story),
            object_id=str(story.pk),
            object_repr=story.title,
        ),
        "staff account": people["编辑"],
        "login lockout": AccessAttempt.objects.create(
            username="author", ip_address="203.0.113.7", failures_since_start=5
        ),
    }


def client_of(people, role: str) -> Client:
    """A browser logged in as the role's person (a reader is not)."""
    client = Client()
    if people[role] is not None:
        client.force_login(people[role])
    return client


def url(obj, view: str, *args) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def allowed(client, item: str, obj, action: str) -> bool | None:
    """What the admin lets this client do; None where the item offers no
    such action at all."""
    try:
        if action == "view":
            address = url(obj, "change", obj.pk)
        elif action == "add":
            address = url(obj, "add")
        elif action == "change":
            response = client.get(url(obj, "change", obj.pk))
            return response.status_code == 200 and 'name="_save"' in response.text
        elif action == "delete":
            address = url(obj, "delete", obj.pk)
        elif action == "publish":
            address = url(obj, "transition", obj.pk, "publish")
        else:  # import, export
            address = url(obj, action)
    except NoReverseMatch:
        return None
    response = client.get(address)
    if action == "add" and response.status_code == 200:
        return "_save" in response.text
    return response.status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_do_what_it_promises_and_nothing_more(people, items, role):
    client = client_of(people, role)
    found, expected = {}, {}
    for item, obj in items.items():
        for action in ACTIONS:
            result = allowed(client, item, obj, action)
            if result is None:
                assert action not in OFFERED[item], (item, action)
                continue
            assert action in OFFERED[item] or not result, (item, action)
            found[item, action] = result
            expected[item, action] = action in promised(role, item)
    wrong = {key: found[key] for key in found if found[key] != expected[key]}
    assert not wrong, "\n".join(
        f"{role} {'may' if ok else 'may not'} {action} {item}: promised otherwise"
        for (item, action), ok in sorted(wrong.items())
    )


@pytest.mark.parametrize(
    ("role", "sees_real_names"),
    [
        ("作者", False),
        ("编辑", False),
        ("导入", False),
        ("审核", True),
        ("superuser", True),
    ],
)
def test_only_reviewers_see_the_real_names_behind_protected_ones(
    client, people, role, sees_real_names
):
    text = export(client, people[role], "person", ["personresource_real_name"])
    for name in PROTECTED:
        assert (name in text) == sees_real_names, (role, name)


def test_an_author_adds_lines_only_to_her_own_drafts(client, people, items):
    client.force_login(people["作者"])
    line = items["assistance line"]
    data = {
        "story": items["story"].pk,
        "order": 9,
        "measure": line.measure,
        "description": "想加到别人的故事里",
        "value": "1000",
        "unit": "元",
        "qualifier": line.qualifier,
        "period": line.period,
        "provider_type": line.provider_type,
    }
    response = client.post(url(line, "add"), data)
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.text
    assert not Assistance.objects.filter(description="想加到别人的故事里").exists()
    response = client.post(url(line, "add"), {**data, "story": items["own draft"].pk})
    assert response.status_code == 302, response.text[:3000]
    assert Assistance.objects.filter(description="想加到别人的故事里").exists()


def forged_change(client, obj, **changes):
    """A change form as a superuser would send it, with the changes, posted
    by whoever the client is logged in as."""
    chief = Client()
    chief.force_login(get_user_model().objects.get(username="chief"))
    data = change_form_data(chief.get(url(obj, "change", obj.pk)), **changes)
    return client.post(url(obj, "change", obj.pk), data)


def deleting(key: str):
    return lambda c, items: c.post(
        url(items[key], "delete", items[key].pk), {"post": "yes"}
    )


def publishing(key: str):
    return lambda c, items: c.post(
        url(items[key], "transition", items[key].pk, "publish")
    )


FORGED = {
    "作者 saves someone else's draft": (
        "作者",
        lambda c, items: forged_change(c, items["story"], title="改了别人的故事"),
    ),
    "作者 deletes her own draft": ("作者", deleting("own draft")),
    "作者 publishes her own draft": ("作者", publishing("own draft")),
    "作者 empties the household of a child's grandfather": (
        "作者",
        lambda c, items: forged_change(c, items["person"], household=""),
    ),
    "作者 renames a household of a published story": (
        "作者",
        lambda c, items: forged_change(c, items["household"], name="改名户"),
    ),
    "作者 shares a preview of someone else's draft": (
        "作者",
        lambda c, items: c.post(
            url(items["story"], "share_preview", items["story"].pk)
        ),
    ),
    "作者 deletes others' lines in bulk": (
        "作者",
        lambda c, items: c.post(
            url(items["assistance line"], "changelist"),
            {
                "action": "delete_selected",
                "_selected_action": [items["assistance line"].pk],
                "post": "yes",
            },
        ),
    ),
    "编辑 publishes a program": ("编辑", publishing("program")),
    "编辑 deletes a program": ("编辑", deleting("program")),
    "编辑 uploads a spreadsheet to import": (
        "编辑",
        lambda c, items: c.post(
            url(items["region"], "import"),
            {"format": "0", "import_file": SimpleUploadedFile("r.csv", b"a,b\n")},
        ),
    ),
    "审核 edits a staff account": (
        "审核",
        lambda c, items: forged_change(c, items["staff account"], is_superuser="on"),
    ),
    "a reader adds a story": (
        "reader",
        lambda c, items: c.post(url(items["story"], "add"), {"title": "匿名故事"}),
    ),
}


def snapshot() -> tuple:
    """What a refused write must leave as it was."""
    return (
        list(Story.objects.order_by("pk").values_list("pk", "title", "status")),
        list(Person.objects.order_by("pk").values_list("pk", "household", "age")),
        list(Household.objects.order_by("pk").values_list("pk", "name")),
        list(AuditEntry.objects.order_by("pk").values_list("pk", "action")),
        list(Program.objects.order_by("pk").values_list("pk", "status")),
        list(Assistance.objects.order_by("pk").values_list("pk", flat=True)),
        list(Region.objects.order_by("pk").values_list("pk", flat=True)),
        list(get_user_model().objects.order_by("pk").values_list("pk", "is_superuser")),
    )


@pytest.mark.parametrize("attempt", FORGED)
def test_a_forged_write_outside_the_role_changes_nothing(people, items, attempt):
    role, send = FORGED[attempt]
    client = client_of(people, role)
    before = snapshot()
    response = send(client, items)
    assert response.status_code in (302, 403), response.status_code
    if response.status_code == 302:
        # Only back to the login page or to the list, never "saved".
        assert "/login/" in response["Location"] or "changelist" not in attempt
    assert snapshot() == before


@pytest.mark.parametrize(
    ("role", "attempt"),
    [
        ("编辑", "作者 saves someone else's draft"),
        # Unmasking the boy's grandfather on a live story is a reviewer's change.
        ("审核", "作者 empties the household of a child's grandfather"),
        ("审核", "作者 renames a household of a published story"),
        ("审核", "编辑 publishes a program"),
        ("审核", "作者 deletes others' lines in bulk"),
        ("superuser", "审核 edits a staff account"),
    ],
)
def test_the_same_writes_from_a_role_allowed_them_do_change_things(
    people, items, role, attempt
):
    # So that the test above cannot pass by never writing at all.
    client = client_of(people, role)
    before = snapshot()
    response = FORGED[attempt][1](client, items)
    assert response.status_code == 302
    assert snapshot() != before
