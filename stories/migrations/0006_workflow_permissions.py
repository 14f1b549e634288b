from django.db import migrations

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
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in ADDED.items():
        group = Group.objects.get(name=name)
        for app_label, codename in perms:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name, perms in ADDED.items():
        group = Group.objects.filter(name=name).first()
        if group:
            group.permissions.remove(
                *group.permissions.filter(codename__in=[c for _, c in perms])
            )


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0001_initial"),
        ("programs", "0003_workflow_fields"),
        ("stories", "0005_workflow_fields"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
