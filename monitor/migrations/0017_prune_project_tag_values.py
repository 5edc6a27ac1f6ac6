"""A project's release and environment value leaves monitor_projecttagvalue once no tag-count
row of the project has it, whoever deleted the rows (an issue's deletion, a merge, a recount,
retention's dropped counts, a purge, raw SQL): the wildcard search's candidates stay the values
there are, not every value there ever was.

A statement trigger after DELETE on monitor_issuetag records the deleted rows' distinct
(project, key, value) in monitor_projecttagvaluecheck (an append: no index, no wait on another
deleter); monitor.tag_values.prune (beat) checks them and deletes the values no row has. The
check is not made in the deleting transaction: probing whether a project still has a value
reads the value's rows of every project through the (key, value) index, 6 ms per deleted
issue at 400,000 tag rows (bench/tag_value_pruning.py), and merges and retention delete tag
rows while they hold issue rows that ingest waits for.

A value inserted while it is pruned must not be lost (the inserter found it present and wrote
nothing; the pruner, not seeing the uncommitted row, took it away): the insert trigger now
takes a shared transaction advisory lock per (project, key, value) before its insert; the
pruner takes it exclusively, or leaves the value for its next run (monitor.tag_values). The
locks are 256 buckets of values (a statement holds at most 256 of PostgreSQL's lock slots; two
values of one bucket only make the pruner try again later). Every existing value is queued for
a check once, so that values whose rows went before this migration leave too."""

import importlib

from django.db import migrations, models

BEFORE = importlib.import_module("monitor.migrations.0014_project_tag_values")

KEYS = "('environment', 'release')"

FORWARD = f"""
-- before the trigger locks monitor_issuetag: ingest's tag writes do not wait for this copy
INSERT INTO monitor_projecttagvaluecheck (project_id, key, value)
    SELECT project_id, key, value FROM monitor_projecttagvalue ORDER BY 1, 2, 3;

CREATE FUNCTION monitor_projecttagvalue_lock(project bigint, key text, value text)
RETURNS int LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN hashtext(project::text || '|' || key || '|' || value) & 255;  -- at most 256 locks held

CREATE OR REPLACE FUNCTION monitor_issuetag_project_values() RETURNS trigger
LANGUAGE plpgsql AS $f$
BEGIN
    -- One statement (half the added cost of three, measured): the locks are an InitPlan of
    -- the filter, taken in order before the first value is inserted.
    WITH d AS MATERIALIZED (
        SELECT DISTINCT i.project_id, n.key, n.value
        FROM new_tags n JOIN monitor_issue i ON i.id = n.issue_id
        WHERE n.key IN {KEYS})
    INSERT INTO monitor_projecttagvalue (project_id, key, value)
        SELECT project_id, key, value FROM d
        WHERE (SELECT count(*) FROM (
                   SELECT pg_advisory_xact_lock_shared(29814, k)  -- tag_values.LOCK_CLASS
                   FROM (SELECT DISTINCT monitor_projecttagvalue_lock(project_id, key, value)
                         AS k FROM d ORDER BY k) s) locked) >= 0
        ORDER BY 1, 2, 3
        ON CONFLICT (project_id, key, value) DO NOTHING;
    RETURN NULL;
END $f$;

CREATE FUNCTION monitor_issuetag_check_project_values() RETURNS trigger
LANGUAGE plpgsql AS $f$
BEGIN
    INSERT INTO monitor_projecttagvaluecheck (project_id, key, value)
        SELECT DISTINCT i.project_id, o.key, o.value
        FROM old_tags o JOIN monitor_issue i ON i.id = o.issue_id
        WHERE o.key IN {KEYS};
    RETURN NULL;
END $f$;

CREATE TRIGGER monitor_issuetag_check_project_values AFTER DELETE ON monitor_issuetag
    REFERENCING OLD TABLE AS old_tags FOR EACH STATEMENT
    EXECUTE FUNCTION monitor_issuetag_check_project_values();

"""

BACKWARD = f"""
DROP TRIGGER IF EXISTS monitor_issuetag_check_project_values ON monitor_issuetag;
DROP FUNCTION IF EXISTS monitor_issuetag_check_project_values();
{BEFORE.INSERT_FUNCTION}
DROP FUNCTION IF EXISTS monitor_projecttagvalue_lock(bigint, text, text);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("monitor", "0016_event_issue_received_idx"),
    ]

    operations = [
        migrations.CreateModel(
            name="ProjectTagValueCheck",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("project_id", models.BigIntegerField()),
                ("key", models.CharField(max_length=64)),
                ("value", models.CharField(max_length=200)),
            ],
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
