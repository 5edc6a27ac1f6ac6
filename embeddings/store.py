"""Issue vectors in pgvector: registration of models, writes, and nearest-neighbour queries that
never leave one project.

The vector column has no fixed dimension, so several models can coexist; each model gets a
partial HNSW index over `vector::vector(<dim>)` (cosine) restricted to its rows, and every project
past EMBEDDING_PROJECT_INDEX_MIN vectors gets its own partial index (partitioning by project:
measured in bench/knn.py, it keeps recall at 1.0 where a shared index under a project filter
loses some). Small projects are served exactly through the btree on (model, project, key);
mid-size projects by the shared index with pgvector's iterative scans. Queries inline the model
and project ids: a partial index is only usable for a literal predicate.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import connection, models, transaction

from embeddings.models import EmbeddingModel, IssueEmbedding
from monitor import limits, roundtrips
from monitor.models import Project


@dataclass(frozen=True)
class Neighbour:
    issue_id: int
    distance: float
    text: str = ""  # the cleaned text its vector embeds
    path: str = ""  # the candidate path that found it: "" the key's, "rename" (grouping.rename)


def index_name(model: EmbeddingModel) -> str:
    return f"issueembedding_hnsw_{model.id}"


def ensure_index(model: EmbeddingModel) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {index_name(model)} ON embeddings_issueembedding "
            f"USING hnsw ((vector::vector({int(model.dimension)})) vector_cosine_ops) "
            f"WITH (m = 16, ef_construction = 64) WHERE model_id = {int(model.id)}"
        )


def project_index_name(model: EmbeddingModel, project_id: int) -> str:
    return f"issueembedding_hnsw_{int(model.id)}_p{int(project_id)}"


def ensure_project_index(model: EmbeddingModel, project_id: int) -> None:
    """CONCURRENTLY: ingest and ML decisions go on while it builds (autocommit required)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {project_index_name(model, project_id)} "
            f"ON embeddings_issueembedding USING hnsw "
            f"((vector::vector({int(model.dimension)})) vector_cosine_ops) "
            f"WITH (m = 16, ef_construction = 64) "
            f"WHERE model_id = {int(model.id)} AND project_id = {int(project_id)}"
        )


def maintain_project_indexes(min_vectors: int) -> dict[str, list[str]]:
    """Create the per-project indexes that are due; drop those of deleted projects or models."""
    due = (
        IssueEmbedding.objects.values("model_id", "project_id")
        .annotate(n=models.Count("id"))
        .filter(n__gte=min_vectors)
    )
    models_by_id = EmbeddingModel.objects.in_bulk({row["model_id"] for row in due})
    wanted = {}
    for row in due:
        model = models_by_id[row["model_id"]]
        wanted[project_index_name(model, row["project_id"])] = (model, row["project_id"])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'embeddings_issueembedding' "
            "AND indexname ~ '^issueembedding_hnsw_[0-9]+_p[0-9]+$'"
        )
        existing = {row[0] for row in cursor.fetchall()}
    created = sorted(set(wanted) - existing)
    for name in created:
        ensure_project_index(*wanted[name])
    live_projects = set(Project.objects.values_list("id", flat=True))
    live_models = set(EmbeddingModel.objects.values_list("id", flat=True))
    dropped = []
    for name in sorted(existing):
        model_id, project_id = (int(x) for x in name.split("_hnsw_")[1].split("_p"))
        if project_id not in live_projects or model_id not in live_models:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
            dropped.append(name)
    return {"created": created, "dropped": dropped}


def register(name: str, version: str, dimension: int, path: str) -> EmbeddingModel:
    model, created = EmbeddingModel.objects.get_or_create(
        name=name, version=version, defaults={"dimension": dimension, "path": path}
    )
    if created:
        ensure_index(model)
    return model




def bounded_key(key: str) -> str:
    """Keys past the column's size keep their start and a digest of the whole (still exact)."""
    if len(key) <= limits.MATCH_KEY_CHARS:
        return key
    return key[: limits.MATCH_KEY_CHARS - 41] + "#" + hashlib.sha1(key.encode()).hexdigest()


def _literal(vector: np.ndarray) -> str:
    return "[" + ",".join(f"{x:.7g}" for x in vector.tolist()) + "]"


# One statement that reads nothing back (an ORM upsert returns the row's id), so it can ride a
# batch of writes (monitor.roundtrips).
SAVE_SQL = """
INSERT INTO embeddings_issueembedding (issue_id, project_id, model_id, vector, text, match_key,
                                       event_id, statement, line_statement, site_function,
                                       site_file, created_at)
VALUES (%s, %s, %s, %s::vector, %s, %s, %s, %s, %s, %s, %s, now())
ON CONFLICT (issue_id, model_id) DO UPDATE SET
    project_id = EXCLUDED.project_id, vector = EXCLUDED.vector, text = EXCLUDED.text,
    match_key = EXCLUDED.match_key, event_id = EXCLUDED.event_id,
    statement = EXCLUDED.statement, line_statement = EXCLUDED.line_statement,
    site_function = EXCLUDED.site_function, site_file = EXCLUDED.site_file
"""


def save(
    issue_id: int,
    project_id: int,
    model: EmbeddingModel,
    vector: np.ndarray,
    text: str,
    match_key: str = "",
    event_id: int | None = None,
    statement: str = "",
    line_statement: str = "",
    site_function: str = "",
    site_file: str = "",
) -> None:
    """Store an issue's vector; `event_id` is the event it came from (its deletion cascades);
    the rest is what the rename path keeps of that event's crash site (grouping.rename.Record:
    the digests of its statement and of its line as written, its function and file). One
    upsert statement: a new issue's ML decision waits on every round trip."""
    field = IssueEmbedding._meta.get_field("vector")
    with connection.cursor() as cursor:
        cursor.execute(SAVE_SQL, [issue_id, project_id, model.pk,
                                  field.get_db_prep_value(vector, connection), text,
                                  bounded_key(match_key), event_id, statement, line_statement,
                                  site_function[:limits.SITE_FUNCTION_CHARS],
                                  site_file[:limits.SITE_FILE_CHARS]])


def nearest(
    project_id: int,
    model: EmbeddingModel,
    vector: np.ndarray,
    k: int = 5,
    exclude: tuple[int, ...] = (),
    match_key: str | None = None,
) -> list[Neighbour]:
    """The `k` nearest issues of one project (cosine distance, ascending); with `match_key`,
    only issues of that crash-site key (a handful of rows: an exact scan)."""
    return lookup(project_id, model, vector, k, exclude, match_key)[0]


@dataclass(frozen=True)
class RenameQuery:
    """What the rename path looks for (grouping.rename): the new event's statement digest, site
    function and release, the evidence ("release" or "site"), the distance allowed, and where a
    function kept in another file counts (`moves`), its file and the line's digest."""

    statement: str
    site_function: str
    release: str
    evidence: str
    tight: float
    moves: str = ""
    site_file: str = ""
    line_statement: str = ""


def lookup(
    project_id: int,
    model: EmbeddingModel,
    vector: np.ndarray,
    k: int = 5,
    exclude: tuple[int, ...] = (),
    match_key: str | None = None,
    renamed: RenameQuery | None = None,
) -> tuple[list[Neighbour], list[Neighbour]]:
    """`nearest`'s neighbours and, with `renamed`, the rename path's candidates (nearest first,
    up to `k`), in one round trip: an ML decision waits on every one."""
    dim = int(model.dimension)
    keyed = "AND match_key = %s " if match_key is not None else ""
    sql = (
        f"SELECT issue_id, (vector::vector({dim})) <=> %s::vector({dim}) AS distance, text "
        # the model id is inlined: a partial index is only usable for a literal predicate
        f"FROM embeddings_issueembedding WHERE model_id = {int(model.id)} "
        f"AND project_id = {int(project_id)} "
        f"AND NOT (issue_id = ANY(%s)) {keyed}"
        f"ORDER BY (vector::vector({dim})) <=> %s::vector({dim}) LIMIT %s"
    )
    literal = _literal(vector)
    params = [literal, list(exclude)]
    params += [bounded_key(match_key)] if match_key is not None else []
    params += [literal, k]
    # no savepoint inside a caller's transaction (an ML decision's): SET LOCAL lasts until its end
    with (transaction.atomic(savepoint=False), connection.cursor() as cursor,
          connection.cursor() as other):
        with roundtrips.together():  # the settings and the lookups: one round trip
            cursor.execute(f"SET LOCAL hnsw.ef_search = {int(settings.EMBEDDING_EF_SEARCH)}")
            cursor.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
            cursor.execute(sql, params)
            if renamed is not None:
                other.execute(_renamed_sql(model, project_id, renamed),
                              _renamed_params(literal, renamed, exclude, k))
        rows = cursor.fetchall()
        others = other.fetchall() if renamed is not None else []
    # relaxed_order may return neighbours slightly out of order: sort what came back.
    return (sorted((Neighbour(issue_id, float(d), text) for issue_id, d, text in rows),
                   key=lambda n: n.distance),
            [Neighbour(issue_id, float(d), text, "rename") for issue_id, d, text in others])


# A fingerprint of the candidate issue that refuses it: one that came in the new event's
# release, with the "site" evidence only one that crashed in another site function than the
# new one (grouping.rename.renamed); read through the fingerprints, which merges and unmerges
# move. Per fingerprint, by the unique (fingerprint, release) pair's index.
RENAMED_EVIDENCE_SQL = {
    "release": "r.seen",
    "site": "f.site_function <> %(site)s AND r.seen",
}
# where moves count, a site is its function and file (grouping.rename.moved_site)
MOVED_EVIDENCE_SQL = "(f.site_function <> %(site)s OR f.site_file <> %(file)s) AND r.seen"
# the candidate's site is another: another function, or, where moves count, the same one in
# another file with the same line as written
OTHER_SITE_SQL = {
    "": "site_function <> %(site)s",
    "line": "(site_function <> %(site)s OR (site_file <> %(file)s "
            "AND line_statement = %(line)s AND line_statement <> ''))",
}


def _renamed_sql(model: EmbeddingModel, project_id: int, query: RenameQuery) -> str:
    """The issue vectors of one statement in the project at another site (grouping.rename
    .moved_site), within the distance, read by the statement's partial index (the CTE is
    materialized; where one statement holds most of a project that has an HNSW index of its
    own, the planner may read that index instead, approximate as the key's lookup is); of
    those, the RENAME_CANDIDATES_CHECKED nearest whose issue has at most
    RENAME_FINGERPRINTS_READ fingerprints, the releases saying "renamed". Each candidate's
    fingerprints are read once, at most one past the bound, each probed in the releases'
    unique index (a lateral subquery the planner cannot turn into a join that reads the
    releases table whole): the evidence read per decision is bounded, whatever SDKs sent."""
    dim = int(model.dimension)
    evidence = MOVED_EVIDENCE_SQL if query.moves and query.evidence == "site" \
        else RENAMED_EVIDENCE_SQL[query.evidence]
    return (
        f"WITH c AS MATERIALIZED (SELECT issue_id, distance, text FROM (SELECT issue_id, "
        f"(vector::vector({dim})) <=> %(v)s::vector({dim}) AS distance, text "
        f"FROM embeddings_issueembedding "
        f"WHERE model_id = {int(model.id)} AND project_id = {int(project_id)} "
        f"AND statement = %(statement)s AND statement <> '' AND {OTHER_SITE_SQL[query.moves]} "
        f"AND NOT (issue_id = ANY(%(exclude)s))) said WHERE distance <= %(tight)s "
        f"ORDER BY distance, issue_id LIMIT %(checked)s) "
        f"SELECT c.issue_id, c.distance, c.text FROM c CROSS JOIN LATERAL ("
        f"SELECT count(*) AS fingerprints, "
        f"coalesce(bool_or({evidence}), false) AS refused "
        f"FROM (SELECT gh.id, gh.site_function, gh.site_file FROM monitor_grouphash gh "
        f"WHERE gh.issue_id = c.issue_id LIMIT %(fingerprints)s + 1) f "
        # LIMIT 1 keeps the probe a parameterized subquery: flattened or made an EXISTS, the
        # planner may hash the release's rows of every tenant instead
        f"LEFT JOIN LATERAL (SELECT true AS seen FROM grouping_fingerprintrelease fr "
        f"WHERE fr.group_hash_id = f.id AND fr.release = %(release)s LIMIT 1) r ON true) e "
        f"WHERE e.fingerprints <= %(fingerprints)s AND NOT e.refused "
        f"ORDER BY c.distance, c.issue_id LIMIT %(k)s"
    )


def _renamed_params(literal: str, query: RenameQuery, exclude: tuple[int, ...],
                    k: int) -> dict:
    return {"v": literal, "statement": query.statement, "line": query.line_statement,
            "site": query.site_function[:limits.SITE_FUNCTION_CHARS],
            "file": query.site_file[:limits.SITE_FILE_CHARS], "exclude": list(exclude),
            "release": query.release, "tight": query.tight, "k": k,
            "checked": int(limits.RENAME_CANDIDATES_CHECKED),
            "fingerprints": int(limits.RENAME_FINGERPRINTS_READ)}


def vector_of(issue_id: int, model: EmbeddingModel) -> np.ndarray | None:
    row = (
        IssueEmbedding.objects.filter(issue_id=issue_id, model=model).values_list("vector").first()
    )
    return None if row is None else np.asarray(row[0], dtype=np.float32)


def similar_issues(
    issue_id: int, project_id: int, model: EmbeddingModel, k: int = 10
) -> list[Neighbour]:
    vector = vector_of(issue_id, model)
    if vector is None:
        return []
    return nearest(project_id, model, vector, k=k, exclude=(issue_id,))
