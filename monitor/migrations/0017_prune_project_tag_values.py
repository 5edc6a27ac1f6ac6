"""A project's release and environment value leaves monitor_projecttagvalue with the project's
last tag-count row of it, whoever deletes the rows (an issue's deletion, a merge, a recount,
retention's dropped counts, a purge, raw SQL): the wildcard search's list of candidates stays
the values there are, not every value there ever was.

A statement trigger after DELETE on monitor_issuetag reads the deleted rows' distinct
(project, key, value) and probes, for each, whether another row of the project still has it;
only those none has are locked and deleted, so a deletion's cost follows its distinct values.

A concurrent insert of the same value must not be lost: the inserting transaction found the
value present and wrote nothing, while the deleting one, not seeing the uncommitted row, took
the value away. Both sides take a transaction advisory lock per (project, key, value): the
insert trigger a shared one before its insert, the delete trigger an exclusive one before
probing again, in a statement of its own whose fresh snapshot (READ COMMITTED) sees what the
inserters it waited for committed. An inserter that waits for a deleter finds the value gone
and inserts it again. The lock is only taken for a value the first probe found unreferenced:
a merge, which inserts the value on its target before deleting it from the sources, never
waits. Existing values no row has any more are deleted here."""

from django.db import migrations

KEYS = "('environment', 'release')"
LOCK_CLASS = 0x7476  # this table's advisory locks, (class, hash of project, key and value)

# A row of the project (through its issue) with the key and value, other than those deleted.
REFERENCED = """EXISTS (
        SELECT 1 FROM monitor_issuetag t JOIN monitor_issue i ON i.id = t.issue_id
        WHERE t.key = {v}.key AND t.value = {v}.value AND i.project_id = {v}.project_id)"""

# Each distinct lock once, in one order (the key's), so that two takers never deadlock.
LOCKS = """PERFORM {function}({LOCK_CLASS}, k) FROM (
        SELECT DISTINCT hashtext(d.project_id::text || '|' || d.key || '|' || d.value) AS k
        FROM unnest(projects, keys, vals) AS d(project_id, key, value) ORDER BY k) s;"""

FORWARD = f"""
CREATE OR REPLACE FUNCTION monitor_issuetag_project_values() RETURNS trigger
LANGUAGE plpgsql AS $f$
DECLARE
    projects bigint[];
    keys text[];
    vals text[];
BEGIN
    SELECT array_agg(project_id), array_agg(key), array_agg(value)
        INTO projects, keys, vals
        FROM (SELECT DISTINCT i.project_id, n.key, n.value
              FROM new_tags n JOIN monitor_issue i ON i.id = n.issue_id
              WHERE n.key IN {KEYS}) d;
    IF projects IS NULL THEN
        RETURN NULL;
    END IF;
    {LOCKS.format(function="pg_advisory_xact_lock_shared", LOCK_CLASS=LOCK_CLASS)}
    INSERT INTO monitor_projecttagvalue (project_id, key, value)
        SELECT * FROM unnest(projects, keys, vals) AS d(project_id, key, value)
        ORDER BY 1, 2, 3
        ON CONFLICT (project_id, key, value) DO NOTHING;
    RETURN NULL;
END $f$;

CREATE FUNCTION monitor_issuetag_prune_project_values() RETURNS trigger
LANGUAGE plpgsql AS $f$
DECLARE
    projects bigint[];
    keys text[];
    vals text[];
BEGIN
    SELECT array_agg(project_id), array_agg(key), array_agg(value)
        INTO projects, keys, vals
        FROM (SELECT DISTINCT i.project_id, o.key, o.value
              FROM old_tags o JOIN monitor_issue i ON i.id = o.issue_id
              WHERE o.key IN {KEYS}) d
        WHERE NOT {REFERENCED.format(v='d')};
    IF projects IS NULL THEN
        RETURN NULL;
    END IF;
    {LOCKS.format(function="pg_advisory_xact_lock", LOCK_CLASS=LOCK_CLASS)}
    DELETE FROM monitor_projecttagvalue v
        USING unnest(projects, keys, vals) AS d(project_id, key, value)
        WHERE v.project_id = d.project_id AND v.key = d.key AND v.value = d.value
          AND NOT {REFERENCED.format(v='d')};
    RETURN NULL;
END $f$;

CREATE TRIGGER monitor_issuetag_prune_project_values AFTER DELETE ON monitor_issuetag
    REFERENCING OLD TABLE AS old_tags FOR EACH STATEMENT
    EXECUTE FUNCTION monitor_issuetag_prune_project_values();

DELETE FROM monitor_projecttagvalue v WHERE NOT {REFERENCED.format(v='v')};
"""

BACKWARD = f"""
DROP TRIGGER IF EXISTS monitor_issuetag_prune_project_values ON monitor_issuetag;
DROP FUNCTION IF EXISTS monitor_issuetag_prune_project_values();
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


class Migration(migrations.Migration):
    dependencies = [
        ("monitor", "0016_event_issue_received_idx"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
