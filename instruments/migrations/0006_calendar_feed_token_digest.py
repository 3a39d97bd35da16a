"""The calendar feed's secret token is stored as its SHA-256 digest: the column is renamed and
each stored token replaced by its digest, so the feeds calendar apps already subscribe to keep
working (the address still carries the token; the lookup now digests it). One way only: the
tokens cannot be brought back from their digests."""

import hashlib
import re

from django.db import migrations

_DIGEST = re.compile(r"^[0-9a-f]{64}$")


def feed_tokens_to_digests(apps, schema_editor):
    """Replace each stored token by its digest. A token (43 URL-safe characters) is never 64 hex
    digits, so a value that already is a digest is left alone: running this twice is harmless."""
    CalendarFeed = apps.get_model("instruments", "CalendarFeed")
    for feed in CalendarFeed.objects.only("pk", "token_digest").iterator():
        if not _DIGEST.match(feed.token_digest):
            digest = hashlib.sha256(feed.token_digest.encode()).hexdigest()
            CalendarFeed.objects.filter(pk=feed.pk).update(token_digest=digest)


class Migration(migrations.Migration):
    dependencies = [
        ("instruments", "0005_feedback_pool"),
    ]

    operations = [
        migrations.RenameField(model_name="calendarfeed", old_name="token", new_name="token_digest"),
        migrations.RunPython(feed_tokens_to_digests, elidable=False),
    ]
