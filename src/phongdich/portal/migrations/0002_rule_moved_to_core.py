"""The rules table moved from the portal to the core (the kernel every app uses): copy the
administrator's overrides over, then drop the old table. A database made by the previous
release keeps every rule it had."""

from django.db import migrations


def copy_rules(apps, schema_editor):
    old = apps.get_model("portal", "Rule")
    new = apps.get_model("core", "Rule")
    new.objects.bulk_create(
        [
            new(
                key=r.key,
                value=r.value,
                note=r.note,
                updated_by_id=r.updated_by_id,
                updated_at=r.updated_at,
            )
            for r in old.objects.all()
        ]
    )
    for r in old.objects.all():  # bulk_create stamps auto_now fields; keep the real time
        new.objects.filter(key=r.key).update(updated_at=r.updated_at)


def copy_back(apps, schema_editor):
    old = apps.get_model("portal", "Rule")
    new = apps.get_model("core", "Rule")
    old.objects.bulk_create(
        [
            old(
                key=r.key,
                value=r.value,
                note=r.note,
                updated_by_id=r.updated_by_id,
                updated_at=r.updated_at,
            )
            for r in new.objects.all()
        ]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_initial"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(copy_rules, copy_back),
        migrations.DeleteModel(name="Rule"),
    ]
