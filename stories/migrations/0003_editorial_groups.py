from django.db import migrations

from stories.migrations import _permissions as permissions

# Who may do what. Authors write stories and their details; editors edit all
# content; reviewers also publish, archive and delete. Publishing itself is the
# custom publish_* permission, checked by the admin when status changes.
STORY_PARTS = [
    "story",
    "storyperson",
    "assistance",
    "outcome",
    "storyphoto",
    "person",
    "household",
]
PROGRAM_PARTS = ["program", "figure", "programphoto"]
INLINES = [
    "storyperson",
    "assistance",
    "outcome",
    "storyphoto",
    "figure",
    "programphoto",
]


def perms(actions, models):
    return [f"{action}_{model}" for action in actions for model in models]


GROUPS = {
    "作者": perms(["view"], ["region", "cause", "program", "figure", "programphoto"])
    + perms(["view", "add", "change"], STORY_PARTS)
    + perms(["delete"], ["storyperson", "assistance", "outcome", "storyphoto"]),
    "编辑": perms(["view"], ["cause"])
    + perms(["view", "add", "change"], [*STORY_PARTS, *PROGRAM_PARTS, "region"])
    + perms(["delete"], INLINES),
    "审核": perms(
        ["view", "add", "change", "delete"],
        [*STORY_PARTS, *PROGRAM_PARTS, "region", "cause"],
    )
    + ["publish_story", "publish_program"],
}


def create_groups(apps, schema_editor):
    permissions.create_all_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        found = Permission.objects.filter(
            content_type__app_label__in=["programs", "stories"], codename__in=codenames
        )
        missing = set(codenames) - set(found.values_list("codename", flat=True))
        if missing:
            raise RuntimeError(
                f"permissions not found for group {name}: {sorted(missing)}"
            )
        group.permissions.set(found)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("programs", "0001_initial"),
        ("stories", "0002_causes"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
