"""The free-text fixes and their one deadline are rows now (0003): one place for fixes, so the
officer's list, the business's page and the map agree."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("risk", "0003_required_fixes")]

    operations = [
        migrations.RemoveField(
            model_name="inspectiontask",
            name="fix_deadline",
        ),
        migrations.RemoveField(
            model_name="inspectiontask",
            name="fixes",
        ),
    ]
