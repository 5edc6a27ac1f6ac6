"""Each project's values of the keys a wildcard search resolves against the project first
(release, environment: monitor.search.EVENT_FILTERS when this was written), so that
`release:shop@2.*` reads the project's few releases and then the issues' tag counts of those,
as an exact `release:` does, instead of matching every tag-count row of the key by the pattern.

The database keeps it: a statement trigger on monitor_issuetag adds the values of inserted rows
(ingest, a merge, an unmerge, the ORM, a bulk load), whatever wrote them, in one sorted insert
per statement; no one updates a tag row's key or value. Existing values are read here from the
tag counts in one pass."""

import django.db.models.deletion
from django.db import migrations, models

KEYS = "('environment', 'release')"

# The insert trigger's function as this migration makes it (0017's reversal restores it).
INSERT_FUNCTION = f"""
CREATE OR REPLACE FUNCTION monitor_issuetag_project_values() RETURNS trigger
LANGUAGE plpgsql AS $f$
BEGIN
    INSERT INTO monitor_projecttagvalue (project_id, key, value)
        SELECT DISTINCT i.project_id, n.key, n.value
        FROM new_tags n JOIN monitor_issue i ON i.id = n.issue_id
        WHERE n.key IN {KEYS}
        ORDER BY 1, 2, 3
        ON CONFLICT (project_id, key, value) DO NOTHING;
    RETURN NULL;
END $f$;
"""

FORWARD = INSERT_FUNCTION + f"""
CREATE TRIGGER monitor_issuetag_project_values AFTER INSERT ON monitor_issuetag
    REFERENCING NEW TABLE AS new_tags FOR EACH STATEMENT
    EXECUTE FUNCTION monitor_issuetag_project_values();
INSERT INTO monitor_projecttagvalue (project_id, key, value)
    SELECT DISTINCT i.project_id, t.key, t.value
    FROM monitor_issuetag t JOIN monitor_issue i ON i.id = t.issue_id
    WHERE t.key IN {KEYS}
    ON CONFLICT (project_id, key, value) DO NOTHING;
"""

BACKWARD = """
DROP TRIGGER IF EXISTS monitor_issuetag_project_values ON monitor_issuetag;
DROP FUNCTION IF EXISTS monitor_issuetag_project_values();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("monitor", "0013_issue_received_span"),
    ]

    operations = [
        migrations.CreateModel(
            name="ProjectTagValue",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("key", models.CharField(max_length=64)),
                ("value", models.CharField(max_length=200)),
                ("project", models.ForeignKey(
                    on_delete=django.db.models.deletion.CASCADE, related_name="tag_values",
                    to="monitor.project")),
            ],
            options={
                "constraints": [models.UniqueConstraint(
                    fields=("project", "key", "value"), name="projecttagvalue_unique")],
            },
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
