from django.db import migrations

from stories.migrations import _permissions as permissions

# Consent records and their scans (signed forms, with names and signatures)
# are for the editors and reviewers who record them: authors no longer see
# them, nor the consents on a person's page.
REMOVED = {"作者": [("privacy", "view_consent")]}


def revoke(apps, schema_editor):
    permissions.revoke(apps, REMOVED)


def grant(apps, schema_editor):
    permissions.grant(apps, REMOVED)


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0001_initial"),
        ("stories", "0012_photo_files"),
    ]

    operations = [migrations.RunPython(revoke, grant)]
