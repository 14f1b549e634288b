"""Staff exports show protected real names only to holders of the privacy
permission; everyone else gets the names readers see."""

import pytest
from django.urls import reverse

from tests.imports.test_admin import CSV_FORMAT

pytestmark = pytest.mark.django_db

PROTECTED = ("潘长君", "潘蔼章", "张仕娣")


def export(client, user, model: str, fields: list[str]) -> str:
    client.force_login(user)
    response = client.post(
        reverse(f"admin:stories_{model}_export"),
        {"resource": "0", "format": CSV_FORMAT, **dict.fromkeys(fields, "on")},
    )
    assert response.status_code == 200
    return response.content.decode("utf-8-sig")


@pytest.mark.parametrize(
    ("model", "fields"),
    [
        ("person", ["personresource_real_name", "personresource_household"]),
        ("story", ["storyresource_slug", "storyresource_title", "storyresource_body"]),
    ],
)
def test_an_editor_without_the_privacy_permission_exports_protected_forms(
    client, editor, demo, model, fields
):
    text = export(client, editor, model, fields)
    for name in PROTECTED:
        assert name not in text, name
    assert "潘某" in text


def test_a_reviewer_with_the_privacy_permission_exports_real_names(
    client, reviewer, demo
):
    assert reviewer.has_perm("privacy.view_real_names")
    text = export(client, reviewer, "person", ["personresource_real_name"])
    for name in PROTECTED:
        assert name in text
