"""Inspections keep several photos (each re-encoded, served only to staff of the area) instead of
one file field; a photo already attached moves to the new table."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def move_photos(apps, schema_editor):
    task_model = apps.get_model("risk", "InspectionTask")
    photo_model = apps.get_model("risk", "InspectionPhoto")
    for task in task_model.objects.exclude(photo="").exclude(photo__isnull=True).iterator():
        photo_model.objects.create(
            task=task,
            image=task.photo.name,
            uploaded_by=task.closed_by,
            uploaded_at=task.closed_at or task.created_at,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("risk", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="InspectionPhoto",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("image", models.FileField(upload_to="inspections/", verbose_name="photo")),
                ("uploaded_at", models.DateTimeField()),
                (
                    "task",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="photos",
                        to="risk.inspectiontask",
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
        migrations.RunPython(move_photos, migrations.RunPython.noop),
        migrations.RemoveField(model_name="inspectiontask", name="photo"),
    ]
