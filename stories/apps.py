from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.translation import gettext_lazy as _


class StoriesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "stories"
    verbose_name = _("人物故事")

    def ready(self) -> None:
        from privacy.addresses import find_names_with
        from privacy.audit import audit_check, audit_people_from
        from privacy.rules import protect_names_from
        from stories import signals  # noqa: F401 (keeps photos' public copies in step)
        from stories.audit import people_with_story_dates, published_stories
        from stories.models import people_named, site_protected_names

        protect_names_from(site_protected_names)
        find_names_with(people_named)
        audit_people_from(people_with_story_dates)
        audit_check(published_stories)
        pre_migrate.connect(drop_concern_view, sender=self)
        post_migrate.connect(make_concern_view, sender=self)
        post_migrate.connect(mark_live_stories_reviewed, sender=self)


def drop_concern_view(sender, using="default", **kwargs) -> None:
    with connections[using].cursor() as cursor:
        cursor.execute("DROP VIEW IF EXISTS stories_concern")


def make_concern_view(sender, using="default", **kwargs) -> None:
    from stories.models import Concern

    drop_concern_view(sender, using)
    tables = connections[using].introspection.table_names()
    if "stories_storyphoto_people_shown" in tables:  # not when migrated back
        with connections[using].cursor() as cursor:
            cursor.execute(Concern.VIEW)


def mark_live_stories_reviewed(sender, using="default", **kwargs) -> None:
    """Stories published before reviews were kept count as reviewed as they are."""
    from privacy.services import mark_live_as_reviewed
    from stories.models import Story

    connection = connections[using]
    with connection.cursor() as cursor:
        columns = connection.introspection.get_table_description(
            cursor, "stories_story"
        )
    # Not when migrated back to before reviews were kept.
    if using == "default" and "reviewed_people" in {c.name for c in columns}:
        mark_live_as_reviewed(Story.objects.filter(status=Story.Status.PUBLISHED))
