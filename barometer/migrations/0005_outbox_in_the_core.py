"""The barometer's e-mails move into the core's mail outbox (leerkracht.OutboxMessage): each
InvitationEmail points at its message; the messages already written keep their Message-ID, text
and relay time."""

import django.db.models.deletion
from django.db import migrations, models


def move_messages(apps, schema_editor):
    Old = apps.get_model("barometer", "OutboxMessage")
    New = apps.get_model("leerkracht", "OutboxMessage")
    InvitationEmail = apps.get_model("barometer", "InvitationEmail")
    for old in Old.objects.order_by("pk").iterator(chunk_size=1000):
        new = New.objects.create(
            kind="barometer_invitation",
            to=old.to,
            subject=old.subject,
            body=old.body,
            message_id=old.message_id,
            created_at=old.created_at,
            claimed_at=old.relayed_at,
            attempts=1 if old.relayed_at else 0,
            relayed_at=old.relayed_at,
        )
        InvitationEmail.objects.filter(pk=old.email_id).update(message=new)


def move_back(apps, schema_editor):
    Old = apps.get_model("barometer", "OutboxMessage")
    InvitationEmail = apps.get_model("barometer", "InvitationEmail")
    for email in InvitationEmail.objects.filter(message__isnull=False).select_related("message").iterator():
        message = email.message
        Old.objects.create(
            school_id=email.school_id,
            email=email,
            to=message.to,
            subject=message.subject,
            body=message.body,
            message_id=message.message_id,
            relayed_at=message.relayed_at,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("barometer", "0004_answer_pool_sealed_drafts"),
        ("leerkracht", "0001_outbox"),
    ]

    operations = [
        migrations.AddField(
            model_name="invitationemail",
            name="message",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="email",
                to="leerkracht.outboxmessage",
            ),
        ),
        migrations.RunPython(move_messages, move_back),
        migrations.RemoveIndex(model_name="outboxmessage", name="barometer_o_relayed_2c50be_idx"),
        migrations.DeleteModel(name="OutboxMessage"),
    ]
