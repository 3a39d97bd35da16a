"""The foundation's five regional teams are part of the programme, not demo data."""

from django.db import migrations

REGIONS = [
    ("Noord", "noord"),
    ("Oost", "oost"),
    ("Noord-Holland/Midden", "noord-holland-midden"),
    ("Zuid-Holland", "zuid-holland"),
    ("Zuid", "zuid"),
]


def add_regions(apps, schema_editor):
    Region = apps.get_model("schools", "Region")
    for name, slug in REGIONS:
        Region.objects.update_or_create(slug=slug, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("schools", "0001_initial")]

    operations = [migrations.RunPython(add_regions, migrations.RunPython.noop)]
