import django.db.models.deletion
from django.db import migrations, models

# Who a story concerns, in any role (stories.models.Concern): a view over the
# four tables that name people, so that it can never disagree with them.
CREATE_VIEW = """
CREATE VIEW stories_concern AS
SELECT story_id, person_id FROM stories_storyperson
UNION SELECT story_id, recipient_id FROM stories_assistance
    WHERE recipient_id IS NOT NULL
UNION SELECT story_id, person_id FROM stories_outcome WHERE person_id IS NOT NULL
UNION SELECT photo.story_id, shown.person_id
    FROM stories_storyphoto_people_shown shown
    JOIN stories_storyphoto photo ON photo.id = shown.storyphoto_id
"""


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0009_public_indexes"),
    ]

    operations = [
        migrations.RunSQL(CREATE_VIEW, "DROP VIEW stories_concern"),
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
