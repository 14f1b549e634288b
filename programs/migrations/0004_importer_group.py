from django.db import migrations

# Spreadsheet imports write many rows at once, so they are a separate right:
# the group 导入 (importers) holds an import_* permission for each model a
# county office reports. Members also need the right to change those models
# (from 编辑 or 审核). The permissions are not in the models' Meta, so that
# adding them needs no change to the models' migrations.
IMPORTABLE = {
    ("programs", "region"): "地区",
    ("programs", "program"): "扶贫项目",
    ("programs", "figure"): "数据",
    ("stories", "story"): "人物故事",
    ("stories", "person"): "人物",
    ("stories", "assistance"): "帮扶明细",
}
GROUP = "导入"


def create_importers(apps, schema_editor):
    from django.contrib.contenttypes.management import create_contenttypes

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_contenttypes(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    group, _ = Group.objects.get_or_create(name=GROUP)
    for (app_label, model), label in IMPORTABLE.items():
        content_type = ContentType.objects.get(app_label=app_label, model=model)
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type,
            codename=f"import_{model}",
            defaults={"name": f"可以从表格导入{label}"},
        )
        group.permissions.add(permission)


def remove_importers(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()
    apps.get_model("auth", "Permission").objects.filter(
        codename__in=[f"import_{model}" for _, model in IMPORTABLE]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("programs", "0003_workflow_fields"),
        ("stories", "0008_privacy_permissions"),
    ]

    operations = [migrations.RunPython(create_importers, remove_importers)]
