"""The gallery: one tile per file with a thumbnail, its group, and its group's hit density.

A file is *flagged* when it has a finding of kind ``alert`` or the
examiner gave it a category whose kind is ``alert`` in the scheme of its region (categorised material).
Group totals come from window functions, so ranking groups by their share of flagged files is one query.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from forensics.case.db import CaseDatabase
from forensics.case.queries.cursor import raw_cursor
from forensics.core.categories import load_schemes, table_path

GROUP_BY = ("folder", "set", "chat")
NO_CHAT = "(not in a WhatsApp chat)"

_GROUP_SQL = {
    # an item inside another is grouped under its holder: "/Downloads/holiday.zip > album/"
    "folder": "CASE WHEN f.parent_id IS NULL THEN rtrim(f.path, replace(f.path, '/', '')) ELSE "
    "(SELECT p.path FROM files p WHERE p.id = f.parent_id) || ' > ' "
    "|| rtrim(f.path, replace(f.path, '/', '')) END",
    "set": "COALESCE((SELECT min(h.set_name) FROM findings h WHERE h.file_id = f.id), '(no match)')",
    # the WhatsApp chat a picture was sent or received in (the first by name when several)
    "chat": "COALESCE((SELECT min(CASE WHEN m.is_group THEN 'group ''' || COALESCE(m.chat_name, m.chat_jid) "
    "|| '''' ELSE 'chat with ' || COALESCE(m.chat_name, m.chat_jid) END) FROM whatsapp_links l "
    f"JOIN whatsapp_messages m ON m.id = l.message_id WHERE l.file_id = f.id), '{NO_CHAT}')",
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
    """Query and parameters; rows are ``id, grp, md5, name, hit, files, hits, categorised, flagged, stack,
    duration``: ``stack`` is what a tile stacks on (the MD5, or the copy group of a video: a video's copies
    in other encodings stack like identical files), ``duration`` a video's length in seconds (else null).

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
            "CASE WHEN EXISTS (SELECT 1 FROM review_categories r WHERE r.file_id = f.id "
            f"AND (r.region, r.category) IN (VALUES {values})) THEN 1 ELSE 0 END"
        )
    else:
        material = "0"
    order = "grp, path, id"
    if rank_by_hits:
        order = "CAST(g_flagged AS REAL) / g_files DESC, g_flagged DESC, " + order
    # hit and cat are 0/1 integers, not booleans: PostgreSQL does not sum booleans.
    sql = (
        "WITH tiles AS ("
        f"SELECT f.id AS id, {_GROUP_SQL[group_by]} AS grp, f.md5 AS md5, f.name AS name, f.path AS path, "
        "CASE WHEN EXISTS (SELECT 1 FROM findings h WHERE h.file_id = f.id AND h.kind = 'alert') "
        "THEN 1 ELSE 0 END AS hit, "
        f"{material} AS cat, "
        "COALESCE((SELECT 'video-copies:' || c.group_id FROM video_copies c WHERE c.file_id = f.id), f.md5) "
        "AS stack, (SELECT v.duration_s FROM file_video v WHERE v.file_id = f.id AND v.kind = 'video') "
        "AS duration "
        "FROM files f JOIN thumbnails t ON t.file_id = f.id), "
        "totals AS (SELECT *, count(*) OVER w AS g_files, sum(hit) OVER w AS g_hits, "
        "sum(cat) OVER w AS g_cat, sum(CASE WHEN hit + cat > 0 THEN 1 ELSE 0 END) OVER w AS g_flagged "
        "FROM tiles WINDOW w AS (PARTITION BY grp)) "
        "SELECT id, grp, md5, name, hit, g_files, g_hits, g_cat, g_flagged, stack, duration FROM totals "
        f"ORDER BY {order}"
    )
    return sql, params


@dataclass(frozen=True)
class GalleryEntry:
    """One tile of the gallery: the representative file, its group and how many files it stands for.

    ``hit``: the file has an alert finding; ``summary``: its group's totals (shared by the group's tiles);
    ``duration_s``: a video's length (its tile shows the video's frame strip), None for pictures.
    """

    file_id: int
    group: str
    stacked: int
    name: str
    hit: bool = False
    summary: GroupSummary | None = None
    duration_s: float | None = None


def alert_categories() -> list[tuple[str, int]]:
    """``(region, number)`` of every category whose kind is ``alert`` in the category table in force."""
    return [
        (region, number)
        for region, scheme in load_schemes(table_path()).items()
        for number, category in scheme.categories.items()
        if category.kind == "alert"
    ]


def gallery(
    db: CaseDatabase, group_by: str = "folder", stack_identical: bool = True, rank_by_hits: bool = False
) -> list[GalleryEntry]:
    """Tiles of every file with a thumbnail, grouped by folder, matched set or WhatsApp chat; identical
    copies stacked.

    With ``rank_by_hits`` the groups most loaded with alert findings and categorised material
    (share of flagged files, then their count) come first; see :func:`gallery_sql`.
    """
    sql, params = gallery_sql(group_by, rank_by_hits, alert_categories())
    with raw_cursor(db) as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    entries: list[GalleryEntry] = []
    seen: dict[str, int] = {}  # md5 (or video copy group) -> index of the tile that stands for every copy
    summaries: dict[str, GroupSummary] = {}
    for file_id, group, _md5, name, hit, files, hits, categorised, flagged, stack, duration in rows:
        if stack_identical and stack and stack in seen:
            index = seen[stack]
            entries[index] = replace(entries[index], stacked=entries[index].stacked + 1)
            continue
        if stack:
            seen[stack] = len(entries)
        summary = summaries.get(group)
        if summary is None:
            summary = summaries[group] = GroupSummary(files, hits, categorised, flagged)
        entries.append(GalleryEntry(file_id, group, 1, name, bool(hit), summary, duration))
    return entries


def identical_files(db: CaseDatabase, file_ids: list[int]) -> list[int]:
    """The given files plus every file with the same MD5 and every copy of the same video (what a stacked
    gallery tile stands for)."""
    if not file_ids:
        return []
    marks = ",".join("?" * len(file_ids))
    with raw_cursor(db) as cur:
        cur.execute(
            f"WITH chosen AS (SELECT id FROM files WHERE id IN ({marks}) UNION "
            f"SELECT c.file_id FROM video_copies c WHERE c.group_id IN "
            f"(SELECT group_id FROM video_copies WHERE file_id IN ({marks}))) "
            "SELECT id FROM files WHERE md5 IN (SELECT md5 FROM files WHERE id IN (SELECT id FROM chosen) "
            "AND md5 IS NOT NULL) UNION SELECT id FROM chosen ORDER BY 1",
            [*file_ids, *file_ids],
        )
        return [r[0] for r in cur.fetchall()]


def thumbnails(db: CaseDatabase, ids: list[int]) -> dict[int, bytes]:
    """Thumbnail JPEG bytes of the given files."""
    if not ids:
        return {}
    with raw_cursor(db) as cur:
        cur.execute(
            f"SELECT file_id, data FROM thumbnails WHERE file_id IN ({','.join('?' * len(ids))})", ids
        )
        rows = cur.fetchall()
    pictures = getattr(db, "pictures", None)  # the case key's cipher (pictures are sealed at rest)
    if pictures is None:
        return {r[0]: bytes(r[1]) for r in rows}
    return {r[0]: pictures.open("thumbnails", r[0], bytes(r[1])) for r in rows}
