from django.db import migrations


def load(apps, schema_editor):
    from phongdich.places.loader import load_divisions

    load_divisions(apps.get_model("places", "Province"), apps.get_model("places", "Ward"))


class Migration(migrations.Migration):
    dependencies = [("places", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
