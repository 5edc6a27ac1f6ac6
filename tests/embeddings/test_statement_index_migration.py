"""embeddings.0008 (the rename path's statement columns and index) run again after an
interrupted run: it is not atomic, so a run that failed while it built the index CONCURRENTLY
left the columns, and an INVALID index of the name, behind it, and nothing recorded it as
applied. The rerun must finish it: the columns kept, the invalid index dropped and built again,
the schema as one uninterrupted run leaves it. Against the real PostgreSQL of the suite."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

pytestmark = pytest.mark.django_db(transaction=True)  # CONCURRENTLY runs outside transactions
INDEX = "issueembedding_statement_idx"


def index_state() -> tuple[int, bool, str] | None:
    """(oid, valid, definition) of the statement index, or None."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexrelid::int, indisvalid, pg_get_indexdef(indexrelid) "
                       "FROM pg_index WHERE indexrelid = to_regclass(%s)", [INDEX])
        return cursor.fetchone()


def columns() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT column_name, data_type, character_maximum_length, is_nullable, "
                       "column_default FROM information_schema.columns "
                       "WHERE table_name = 'embeddings_issueembedding' ORDER BY column_name")
        return cursor.fetchall()


def rerun() -> None:
    """Migration 0008's operations from the state before it, as `migrate` runs them again when
    an earlier run did not finish (not recorded as applied)."""
    loader = MigrationLoader(connection)
    migration = loader.get_migration("embeddings", "0008_issueembedding_statement")
    state = loader.project_state(("embeddings", "0007_event_ref_without_constraint"))
    with connection.schema_editor(atomic=migration.atomic) as editor:
        migration.apply(state, editor)


def invalidate() -> None:
    """What a failed CREATE INDEX CONCURRENTLY leaves: the index in the catalog, not valid
    (marked so directly: the suite's database user is a superuser)."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE pg_index SET indisvalid = false "
                       "WHERE indexrelid = to_regclass(%s)", [INDEX])


@pytest.fixture
def statement_index():
    """The index as the migrated test database has it, and valid again after the test."""
    before = index_state()
    assert before is not None and before[1]
    yield before
    if not (index_state() or (0, False))[1]:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")
            cursor.execute(before[2].replace("CREATE INDEX", "CREATE INDEX CONCURRENTLY", 1))


def test_a_rerun_after_a_failed_index_build_rebuilds_it(statement_index):
    had = columns()
    invalidate()
    assert index_state()[1] is False
    rerun()
    oid, valid, definition = index_state()
    assert valid and definition == statement_index[2]
    assert oid != statement_index[0]  # built again, not the invalid one kept
    assert columns() == had


def test_a_rerun_after_the_index_was_built_keeps_it(statement_index):
    """Interrupted after the build (before `migrate` recorded it): nothing to redo."""
    had = columns()
    rerun()
    assert index_state() == statement_index
    assert columns() == had


def test_a_rerun_after_the_columns_alone_builds_the_index(statement_index):
    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX CONCURRENTLY {INDEX}")
    rerun()
    oid, valid, definition = index_state()
    assert valid and definition == statement_index[2]
