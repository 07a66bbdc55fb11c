"""The audit log refuses UPDATE and DELETE in the database itself, not only in the model, so
neither a bug nor a hand-written query can rewrite who saw what."""

from typing import Any

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER web_auditevent_no_update BEFORE UPDATE ON web_auditevent
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
    """CREATE TRIGGER web_auditevent_no_delete BEFORE DELETE ON web_auditevent
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
]
POSTGRESQL = [
    """CREATE OR REPLACE FUNCTION web_auditevent_refuse() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'the audit log is append-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER web_auditevent_no_change BEFORE UPDATE OR DELETE ON web_auditevent
       FOR EACH ROW EXECUTE FUNCTION web_auditevent_refuse()""",
    """CREATE TRIGGER web_auditevent_no_truncate BEFORE TRUNCATE ON web_auditevent
       FOR EACH STATEMENT EXECUTE FUNCTION web_auditevent_refuse()""",
]


def add_triggers(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("web", "0001_initial")]
    operations = [migrations.RunPython(add_triggers, migrations.RunPython.noop)]
