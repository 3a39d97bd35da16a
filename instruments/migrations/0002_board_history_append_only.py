"""The board's history is a record, not a draft: PostgreSQL refuses to change a row of it. Rows
go only with their board (Django's cascade when a board or school is deleted); nothing in the
product deletes history on its own."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION instruments_boardevent_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        -- The one change allowed: a deleted person's id is erased (ON DELETE SET NULL).
        IF NEW.user_id IS NULL AND (NEW.school_id, NEW.board_id, NEW.at, NEW.entity, NEW.entity_id, NEW.verb,
                NEW.field, NEW.field_label, NEW.old, NEW.new)
                IS NOT DISTINCT FROM (OLD.school_id, OLD.board_id, OLD.at, OLD.entity, OLD.entity_id, OLD.verb,
                OLD.field, OLD.field_label, OLD.old, OLD.new) THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'the board history cannot be changed';
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER instruments_boardevent_append_only
    BEFORE UPDATE ON instruments_boardevent
    FOR EACH ROW EXECUTE FUNCTION instruments_boardevent_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS instruments_boardevent_append_only ON instruments_boardevent;
DROP FUNCTION IF EXISTS instruments_boardevent_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("instruments", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
