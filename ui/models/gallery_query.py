"""The gallery's SQL: one row per file with a thumbnail, its group, and its group's hit density.

Qt-free (the adapter runs it). A file is *flagged* when it has a finding of kind ``alert`` or the
examiner gave it a category whose kind is ``alert`` in the scheme of its region (categorised material).
Group totals come from window functions, so ranking groups by their share of flagged files is one query.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

GROUP_BY = ("folder", "set")

_GROUP_SQL = {
    "folder": "rtrim(f.path, replace(f.path, '/', ''))",
    "set": "COALESCE((SELECT min(h.set_name) FROM findings h WHERE h.file_id = f.id), '(no match)')",
}


@dataclass(frozen=True)
class GroupSummary:
    """Totals of one gallery group, over files (not tiles): how loaded with material it is."""

    files: int
    hits: int  # files with an alert finding from a hash set
    categorised: int  # files the examiner categorised as material (an alert-kind category)
    flagged: int  # files with either

    @property
    def share(self) -> float:
        """Flagged files as a fraction of the group's files (0 for an empty group)."""
        return self.flagged / self.files if self.files else 0.0


def gallery_sql(
    group_by: str, rank_by_hits: bool, alert_categories: Iterable[tuple[str, int]]
) -> tuple[str, list[object]]:
    """Query and parameters; rows are ``id, grp, md5, name, hit, files, hits, categorised, flagged``.

    Rows come grouped; groups by name, or with ``rank_by_hits`` by flagged share then flagged count
    (highest first, name breaking ties); inside a group by path. ``alert_categories`` are the
    ``(region, number)`` pairs that count as material when an examiner gives them.
    """
    if group_by not in GROUP_BY:
        raise ValueError(f"group_by must be one of {GROUP_BY}, not {group_by!r}")
    pairs = sorted(set(alert_categories))
    params: list[object] = [value for pair in pairs for value in pair]
    if pairs:
        values = ", ".join("(?, ?)" for _ in pairs)
        material = (
            "EXISTS (SELECT 1 FROM review_categories r WHERE r.file_id = f.id "
            f"AND (r.region, r.category) IN (VALUES {values}))"
        )
    else:
        material = "0"
    order = "grp, path, id"
    if rank_by_hits:
        order = "CAST(g_flagged AS REAL) / g_files DESC, g_flagged DESC, " + order
    sql = (
        "WITH tiles AS ("
        f"SELECT f.id AS id, {_GROUP_SQL[group_by]} AS grp, f.md5 AS md5, f.name AS name, f.path AS path, "
        "EXISTS (SELECT 1 FROM findings h WHERE h.file_id = f.id AND h.kind = 'alert') AS hit, "
        f"{material} AS cat "
        "FROM files f JOIN thumbnails t ON t.file_id = f.id), "
        "totals AS (SELECT *, count(*) OVER w AS g_files, sum(hit) OVER w AS g_hits, "
        "sum(cat) OVER w AS g_cat, sum(hit OR cat) OVER w AS g_flagged "
        "FROM tiles WINDOW w AS (PARTITION BY grp)) "
        "SELECT id, grp, md5, name, hit, g_files, g_hits, g_cat, g_flagged FROM totals "
        f"ORDER BY {order}"
    )
    return sql, params
