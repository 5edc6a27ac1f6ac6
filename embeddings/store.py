"""Issue vectors in pgvector: registration of models, writes, and nearest-neighbour queries that
never leave one project.

The vector column has no fixed dimension, so several models can coexist; each model gets a
partial HNSW index over `vector::vector(<dim>)` (cosine) restricted to its rows. Queries use the
same expression, filter on model and project, and turn on pgvector's iterative index scans so
that the project filter does not starve the result (see docs/ml-grouping.md for the measurement).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.db import connection, transaction

from embeddings.models import EmbeddingModel, IssueEmbedding


@dataclass(frozen=True)
class Neighbour:
    issue_id: int
    distance: float


def index_name(model: EmbeddingModel) -> str:
    return f"issueembedding_hnsw_{model.id}"


def ensure_index(model: EmbeddingModel) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {index_name(model)} ON embeddings_issueembedding "
            f"USING hnsw ((vector::vector({int(model.dimension)})) vector_cosine_ops) "
            f"WITH (m = 16, ef_construction = 64) WHERE model_id = {int(model.id)}"
        )


def register(name: str, version: str, dimension: int, path: str) -> EmbeddingModel:
    model, created = EmbeddingModel.objects.get_or_create(
        name=name, version=version, defaults={"dimension": dimension, "path": path}
    )
    if created:
        ensure_index(model)
    return model


def _literal(vector: np.ndarray) -> str:
    return "[" + ",".join(f"{x:.7g}" for x in vector.tolist()) + "]"


def save(issue_id: int, project_id: int, model: EmbeddingModel, vector: np.ndarray, text: str,
         match_key: str = "") -> None:  # fmt: skip
    IssueEmbedding.objects.update_or_create(
        issue_id=issue_id,
        model=model,
        defaults={"project_id": project_id, "vector": vector, "text": text,
                  "match_key": match_key},
    )  # fmt: skip


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
    dim = int(model.dimension)
    keyed = "AND match_key = %s " if match_key is not None else ""
    sql = (
        f"SELECT issue_id, (vector::vector({dim})) <=> %s::vector({dim}) AS distance "
        # the model id is inlined: a partial index is only usable for a literal predicate
        f"FROM embeddings_issueembedding WHERE model_id = {int(model.id)} AND project_id = %s "
        f"AND NOT (issue_id = ANY(%s)) {keyed}"
        f"ORDER BY (vector::vector({dim})) <=> %s::vector({dim}) LIMIT %s"
    )
    literal = _literal(vector)
    params = [literal, project_id, list(exclude)]
    params += [match_key] if match_key is not None else []
    params += [literal, k]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL hnsw.ef_search = 100")
        cursor.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    # relaxed_order may return neighbours slightly out of order: sort what came back.
    return sorted((Neighbour(issue_id, float(d)) for issue_id, d in rows), key=lambda n: n.distance)


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
