"""The people log is a record: PostgreSQL refuses to change a row of it (as the board history).
The one change allowed is a person's or team's id set to NULL when it is deleted; rows go only
with their school."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION schools_peoplelogentry_append_only() RETURNS trigger AS $$
BEGIN
    IF (NEW.school_id, NEW.at, NEW.action, NEW.detail) IS NOT DISTINCT FROM
            (OLD.school_id, OLD.at, OLD.action, OLD.detail)
        AND (NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id OR NEW.actor_id IS NULL)
        AND (NEW.subject_id IS NOT DISTINCT FROM OLD.subject_id OR NEW.subject_id IS NULL)
        AND (NEW.team_id IS NOT DISTINCT FROM OLD.team_id OR NEW.team_id IS NULL) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the people log cannot be changed';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER schools_peoplelogentry_append_only
    BEFORE UPDATE ON schools_peoplelogentry
    FOR EACH ROW EXECUTE FUNCTION schools_peoplelogentry_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS schools_peoplelogentry_append_only ON schools_peoplelogentry;
DROP FUNCTION IF EXISTS schools_peoplelogentry_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("schools", "0003_staff_invitations_and_imports")]

    operations = [migrations.RunPython(forward, backward)]
