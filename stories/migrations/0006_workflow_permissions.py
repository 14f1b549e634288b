from django.db import migrations

from stories.migrations import _permissions as permissions

# Editors and reviewers edit anyone's content at any stage; authors only their
# own drafts. Reviewers read the audit trail.
ADDED = {
    "编辑": [("programs", "change_any_program"), ("stories", "change_any_story")],
    "审核": [
        ("programs", "change_any_program"),
        ("stories", "change_any_story"),
        ("editorial", "view_auditentry"),
    ],
}


def grant(apps, schema_editor):
    permissions.grant(apps, ADDED)


def revoke(apps, schema_editor):
    permissions.revoke(apps, ADDED)


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0001_initial"),
        ("programs", "0003_workflow_fields"),
        ("stories", "0005_workflow_fields"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
