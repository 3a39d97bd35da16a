"""The pool of submitted answers and sealed drafts (DESIGN.md §5: answers unlinkable inside the
database).

- `PendingResponse`: a submitted questionnaire waits here, sealed with the server's key, until its
  school's moment closes and the whole moment's answers are written to Response/Answer at once.
- `Invitation.draft` (the answers saved so far, in plain JSON next to the person) becomes
  `draft_sealed`, sealed with a key derived from the link's token, which is not stored.

Existing drafts are dropped, not converted: the token that would seal them is not in the
database (only its digest). A teacher with a saved draft finds an empty form and answers again;
submitted answers are not touched.
"""

import uuid

import django.db.models.deletion
import django.db.models.manager
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("barometer", "0003_wave_planning"),
        ("schools", "0002_regions"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="invitation",
            name="draft",
        ),
        migrations.AddField(
            model_name="invitation",
            name="draft_sealed",
            field=models.TextField(blank=True, db_default="", default=""),
        ),
        migrations.CreateModel(
            name="PendingResponse",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ("sealed", models.TextField()),
                (
                    "school",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="schools.school"
                    ),
                ),
                (
                    "team",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="schools.team",
                    ),
                ),
                (
                    "version",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="barometer.questionnaireversion",
                    ),
                ),
                (
                    "wave",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="barometer.wave"
                    ),
                ),
                (
                    "wave_school",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="barometer.waveschool"
                    ),
                ),
            ],
            options={
                "abstract": False,
                "base_manager_name": "unscoped",
            },
            managers=[
                ("objects", django.db.models.manager.Manager()),
                ("unscoped", django.db.models.manager.Manager()),
            ],
        ),
    ]
