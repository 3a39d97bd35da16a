"""Waves an admin plans: the schools a wave asks (sectors, regions, phases or a list of schools),
its cancellation (a CANCELLED moment status, which no step of the tick selects), and the reminder
sent by hand: e-mail kind MANUAL, unique per invitation and Amsterdam day, while the invitation
and the scheduled reminder stay unique per invitation and kind (now a partial unique index)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("barometer", "0002_shipped_questionnaires"),
        ("schools", "0002_regions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="invitationemail",
            name="invitation_email_once_per_kind",
        ),
        migrations.AddField(
            model_name="invitationemail",
            name="day",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="wave",
            name="cancelled_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="geannuleerd op"),
        ),
        migrations.AddField(
            model_name="wave",
            name="cancelled_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="wave",
            name="phases",
            field=models.JSONField(blank=True, default=list, verbose_name="fasen"),
        ),
        migrations.AddField(
            model_name="wave",
            name="regions",
            field=models.ManyToManyField(blank=True, related_name="+", to="schools.region", verbose_name="regio's"),
        ),
        migrations.AddField(
            model_name="wave",
            name="sectors",
            field=models.JSONField(blank=True, default=list, verbose_name="sectoren"),
        ),
        migrations.AddField(
            model_name="wave",
            name="selected_schools",
            field=models.ManyToManyField(
                blank=True, related_name="+", to="schools.school", verbose_name="losse scholen"
            ),
        ),
        migrations.AlterField(
            model_name="invitationemail",
            name="kind",
            field=models.CharField(
                choices=[
                    ("invite", "Uitnodiging"),
                    ("reminder", "Herinnering"),
                    ("manual", "Herinnering, met de hand verstuurd"),
                ],
                max_length=8,
            ),
        ),
        migrations.AlterField(
            model_name="waveschool",
            name="status",
            field=models.CharField(
                choices=[
                    ("planned", "Gepland"),
                    ("open", "Open"),
                    ("closed", "Gesloten"),
                    ("cancelled", "Geannuleerd"),
                ],
                default="planned",
                max_length=10,
            ),
        ),
        migrations.AddConstraint(
            model_name="invitationemail",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind", "manual"), _negated=True),
                fields=("invitation", "kind"),
                name="invitation_email_once_per_kind",
            ),
        ),
        migrations.AddConstraint(
            model_name="invitationemail",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind", "manual")),
                fields=("invitation", "day"),
                name="invitation_email_manual_once_per_day",
            ),
        ),
        migrations.AddConstraint(
            model_name="invitationemail",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("day__isnull", False), ("kind", "manual")),
                    models.Q(models.Q(("kind", "manual"), _negated=True), ("day__isnull", True)),
                    _connector="OR",
                ),
                name="invitation_email_day_for_manual_only",
            ),
        ),
    ]
