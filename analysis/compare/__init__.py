"""Comparisons across groups (districts by default) of notices: categories, clusters, keyness,
boilerplate and specificity. Every function takes and returns DataFrames, reads nothing but the
packaged data files, and is deterministic.

Grouping: a ``documents`` frame maps ``doc_id`` to the column named by ``group`` (default
``'district'``); a document whose group value is null or empty, or that is missing from
``documents``, forms a group of its own named by its ``doc_id``.
"""

from __future__ import annotations

import pandas as pd

DEFAULT_GROUP = "district"


def group_labels(
    documents: pd.DataFrame | None, doc_ids: pd.Series | list, group: str = DEFAULT_GROUP
) -> pd.Series:
    """Group label of each doc id in ``doc_ids`` (same order), falling back to the doc id."""
    ids = pd.Series(list(doc_ids), dtype=object).astype(str)
    if documents is None or len(documents) == 0:
        return ids.rename("group")
    if group not in documents.columns:
        raise KeyError(f"documents has no column {group!r}")
    docs = documents.drop_duplicates("doc_id")
    mapping = pd.Series(docs[group].to_numpy(dtype=object), index=docs["doc_id"].astype(str))
    vals = ids.map(mapping)
    bad = vals.isna() | (vals.astype(str).str.strip() == "")
    vals = vals.where(~bad, ids).astype(str)
    return vals.rename("group").reset_index(drop=True)


def attach_group(
    frame: pd.DataFrame, documents: pd.DataFrame | None, group: str = DEFAULT_GROUP
) -> pd.DataFrame:
    """``frame`` (with ``doc_id``) plus a ``group`` column."""
    out = frame.copy()
    out["group"] = group_labels(documents, frame["doc_id"], group).to_numpy()
    return out
