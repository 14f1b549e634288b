from django.db import migrations

# The causes of hardship the national poverty register (建档立卡) records.
CAUSES = [
    ("illness", "因病"),
    ("disability", "因残"),
    ("education", "因学"),
    ("disaster", "因灾"),
    ("land", "缺土地"),
    ("water", "缺水"),
    ("skills", "缺技术"),
    ("labour", "缺劳力"),
    ("funds", "缺资金"),
    ("transport", "交通条件落后"),
    ("motivation", "自身发展动力不足"),
]


def create_causes(apps, schema_editor):
    Cause = apps.get_model("stories", "Cause")
    for order, (slug, name) in enumerate(CAUSES):
        Cause.objects.update_or_create(
            slug=slug, defaults={"name": name, "order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("stories", "0001_initial")]

    operations = [migrations.RunPython(create_causes, migrations.RunPython.noop)]
