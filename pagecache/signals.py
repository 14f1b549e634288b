"""Whatever a reader could see changes: a new generation when it commits.

Every model of the content apps counts (stories, programs, privacy): a
program's figures show on its page, a consent decides whether a name shows,
a region's name is on every story card in it. Imports and their undo write
some rows in bulk, without these signals; they report through
imports.hooks.items_changed, which bumps too."""

from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_save

from pagecache import store

CONTENT_APPS = ("programs", "stories", "privacy")


def content_changed(sender, **kwargs) -> None:
    store.bump_on_commit()


def connect() -> None:
    for app_label in CONTENT_APPS:
        for model in apps.get_app_config(app_label).get_models():
            uid = f"pagecache:{model._meta.label}"
            post_save.connect(content_changed, sender=model, dispatch_uid=uid)
            post_delete.connect(content_changed, sender=model, dispatch_uid=uid)
            for field in model._meta.local_many_to_many:
                m2m_changed.connect(
                    content_changed,
                    sender=field.remote_field.through,
                    dispatch_uid=f"{uid}.{field.name}",
                )


def deployed(sender, using="default", **kwargs) -> None:
    store.bump()
