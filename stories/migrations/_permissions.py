"""Shared by the data migrations that set up the newsroom's groups. (The
migration loader skips modules whose names start with an underscore.)"""


def create_all_permissions(apps) -> None:
    """Permissions are normally created after all migrations have run; the
    groups need them now."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def grant(apps, added: dict[str, list[tuple[str, str]]]) -> None:
    """Add (app_label, codename) permissions to existing groups, by group name."""
    create_all_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in added.items():
        group = Group.objects.get(name=name)
        for app_label, codename in perms:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def revoke(apps, added: dict[str, list[tuple[str, str]]]) -> None:
    Group = apps.get_model("auth", "Group")
    for name, perms in added.items():
        group = Group.objects.filter(name=name).first()
        if group:
            group.permissions.remove(
                *group.permissions.filter(codename__in=[c for _, c in perms])
            )
