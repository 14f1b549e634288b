from django.db import migrations

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
        ("privacy", "0001_initial"),
        ("stories", "0007_privacy_fields"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
