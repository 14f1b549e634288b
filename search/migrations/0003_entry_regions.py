from django.db import migrations, models
from django.utils import timezone


def rebuild_before_next_search(apps, schema_editor):
    # Entries written before this migration lack their regions and the
    # vector's filter marks: every one is rebuilt before the next search.
    SearchEntry = apps.get_model("search", "SearchEntry")
    SearchEntry.objects.update(refresh_after=timezone.now())


class Migration(migrations.Migration):
    dependencies = [("search", "0002_vector_gin_index")]

    operations = [
        migrations.RemoveField(model_name="searchentry", name="region"),
        migrations.AddField(
            model_name="searchentry",
            name="regions",
            field=models.TextField(
                blank=True,
                help_text="条目所在地区及其上级地区的编号，用于按地区筛选。",
                verbose_name="所在地区",
            ),
        ),
        migrations.RunPython(rebuild_before_next_search, migrations.RunPython.noop),
    ]
