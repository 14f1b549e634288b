import django.db.models.deletion
from django.db import migrations, models

# Who a story concerns, in any role (stories.models.Concern): a view over the
# four tables that name people, made after every migrate (stories/apps.py),
# so that no migration ever has to alter a table a view depends on.


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0009_public_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="Concern",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "story_id",
                        "person_id",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                (
                    "story",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="stories.story",
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="stories.person",
                    ),
                ),
            ],
            options={
                "verbose_name": "故事涉及的人",
                "verbose_name_plural": "故事涉及的人",
                "db_table": "stories_concern",
                "managed": False,
            },
        ),
        migrations.AddField(
            model_name="story",
            name="concerned",
            field=models.ManyToManyField(
                editable=False,
                related_name="concerning_stories",
                through="stories.Concern",
                to="stories.person",
                verbose_name="涉及的人",
            ),
        ),
    ]
