from django.db import migrations

from stories.migrations import _permissions as permissions

# Editors and reviewers record consents; reviewers also read the impact
# assessments and may see protected real names in history and exports.
ADDED = {
    "作者": [("privacy", "view_consent")],
    "编辑": [
        ("privacy", "view_consent"),
        ("privacy", "add_consent"),
        ("privacy", "change_consent"),
    ],
    "审核": [
        ("privacy", "view_consent"),
        ("privacy", "add_consent"),
        ("privacy", "change_consent"),
        ("privacy", "delete_consent"),
        ("privacy", "view_real_names"),
        ("privacy", "view_impactassessment"),
    ],
}


def grant(apps, schema_editor):
    permissions.grant(apps, ADDED)


def revoke(apps, schema_editor):
    permissions.revoke(apps, ADDED)


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0001_initial"),
        ("stories", "0007_privacy_fields"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
