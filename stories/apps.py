from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class StoriesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "stories"
    verbose_name = _("人物故事")

    def ready(self) -> None:
        from privacy.audit import audit_check, audit_people_from
        from privacy.rules import protect_names_from
        from stories.audit import people_with_story_dates, published_stories
        from stories.models import site_protected_names

        protect_names_from(site_protected_names)
        audit_people_from(people_with_story_dates)
        audit_check(published_stories)
        post_migrate.connect(mark_live_stories_reviewed, sender=self)


def mark_live_stories_reviewed(sender, using="default", **kwargs) -> None:
    """Stories published before reviews were kept count as reviewed as they are."""
    from privacy.services import mark_live_as_reviewed
    from stories.models import Story

    if using == "default":
        mark_live_as_reviewed(Story.objects.filter(status=Story.Status.PUBLISHED))
