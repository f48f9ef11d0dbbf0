"""An attacker's edits of a case database: straight SQL on the file, after dropping the guard triggers.

The attacker knows the documented format (docs/custody.md) but holds no examiner's private key.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from forensics.custody.canonical import canonical_json, entry_hash, record_dict

COLUMNS = (
    "seq",
    "format_version",
    "ts",
    "examiner",
    "key_id",
    "action",
    "item",
    "target_json",
    "details_json",
    "prev_hash",
    "entry_hash",
    "signature",
)


def connect(case_dir: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(case_dir / "case.db", isolation_level=None)
    conn.row_factory = sqlite3.Row
    for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type='trigger' AND tbl_name='custody_log'"
    ):
        conn.execute(f"DROP TRIGGER {name}")
    return conn


def rows(conn: sqlite3.Connection) -> list[dict]:
    return [dict(r) for r in conn.execute(f"SELECT {', '.join(COLUMNS)} FROM custody_log ORDER BY seq")]


def rehash(row: dict) -> str:
    target = json.loads(row["target_json"]) if row["target_json"] else None
    return entry_hash(
        record_dict(
            seq=row["seq"],
            ts=row["ts"],
            examiner=row["examiner"],
            key_id=row["key_id"],
            action=row["action"],
            item=row["item"],
            target=target,
            details=json.loads(row["details_json"]),
            prev_hash=row["prev_hash"],
        )
    )


def write_row(conn: sqlite3.Connection, row: dict) -> None:
    conn.execute(
        f"INSERT OR REPLACE INTO custody_log ({', '.join(COLUMNS)}) VALUES "
        f"({', '.join('?' for _ in COLUMNS)})",
        [row[c] for c in COLUMNS],
    )


def attacker_key() -> tuple[Ed25519PrivateKey, str]:
    key = Ed25519PrivateKey.generate()
    return key, key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def shift_from(conn: sqlite3.Connection, seq: int, by: int) -> None:
    """Renumber entries ``seq`` and later by ``by`` (through negative numbers to dodge the unique key)."""
    conn.execute("UPDATE custody_log SET seq = -(seq + ?) WHERE seq >= ?", (by, seq))
    conn.execute("UPDATE custody_log SET seq = -seq WHERE seq < 0")


def edit_details(case_dir: Path, seq: int, **changes) -> None:
    conn = connect(case_dir)
    details = json.loads(
        conn.execute("SELECT details_json FROM custody_log WHERE seq=?", (seq,)).fetchone()[0]
    )
    details.update(changes)
    conn.execute("UPDATE custody_log SET details_json=? WHERE seq=?", (canonical_json(details), seq))


def edit_column(case_dir: Path, seq: int, column: str, value) -> None:
    connect(case_dir).execute(f"UPDATE custody_log SET {column}=? WHERE seq=?", (value, seq))


def delete_entry(case_dir: Path, seq: int, *, renumber: bool = False) -> None:
    conn = connect(case_dir)
    conn.execute("DELETE FROM custody_log WHERE seq=?", (seq,))
    if renumber:
        shift_from(conn, seq + 1, -1)


def swap_entries(case_dir: Path, a: int, b: int) -> None:
    conn = connect(case_dir)
    by_seq = {r["seq"]: r for r in rows(conn)}
    first, second = dict(by_seq[b], seq=a), dict(by_seq[a], seq=b)
    write_row(conn, first)
    write_row(conn, second)


def forge_entry(
    case_dir: Path, seq: int, *, claim_examiner: str | None = None, own_key_id: bool = False
) -> None:
    """Insert a forged entry at ``seq`` (later entries renumbered), linked and hashed correctly."""
    conn = connect(case_dir)
    existing = rows(conn)
    victim = next(r for r in existing if r["seq"] == (seq - 1 if seq > 1 else 1))
    key, public_hex = attacker_key()
    if seq <= existing[-1]["seq"]:
        shift_from(conn, seq, 1)
    prev = next(r for r in existing if r["seq"] == seq - 1)["entry_hash"]
    row = dict(
        victim,
        seq=seq,
        action="note",
        item=None,
        target_json=None,
        prev_hash=prev,
        details_json=canonical_json({"text": "forged"}),
        examiner=claim_examiner or victim["examiner"],
    )
    if own_key_id:
        from forensics.custody.keys import key_id_of

        row["key_id"] = key_id_of(public_hex)
    row["entry_hash"] = rehash(row)
    row["signature"] = key.sign(bytes.fromhex(row["entry_hash"])).hex()
    write_row(conn, row)


def rehash_after_edit(case_dir: Path, seq: int) -> None:
    """Edit one entry, then recompute every later hash and link (signatures cannot be redone)."""
    conn = connect(case_dir)
    prev = None
    for row in rows(conn):
        if row["seq"] < seq:
            prev = row["entry_hash"]
            continue
        if row["seq"] == seq:
            details = json.loads(row["details_json"])
            details["edited"] = "by an attacker"
            row["details_json"] = canonical_json(details)
        row["prev_hash"] = prev
        row["entry_hash"] = rehash(row)
        prev = row["entry_hash"]
        write_row(conn, row)


def replace_founder_key(case_dir: Path) -> None:
    """Swap the founder's registered key for the attacker's and re-sign the whole log with it."""
    from forensics.custody.keys import key_id_of

    conn = connect(case_dir)
    key, public_hex = attacker_key()
    new_id = key_id_of(public_hex)
    existing = rows(conn)
    old_id = existing[0]["key_id"]
    prev = "0" * 64
    for row in existing:
        if row["seq"] == 1:
            details = json.loads(row["details_json"])
            details.update(public_key=public_hex, key_id=new_id)
            row["details_json"] = canonical_json(details)
        if row["key_id"] == old_id:
            row["key_id"] = new_id
        row["prev_hash"] = prev
        row["entry_hash"] = rehash(row)
        row["signature"] = key.sign(bytes.fromhex(row["entry_hash"])).hex()
        prev = row["entry_hash"]
        write_row(conn, row)


def replace_registered_key(case_dir: Path, seq: int) -> None:
    """Put the attacker's public key into a registration entry (no re-signing)."""
    from forensics.custody.keys import key_id_of

    _key, public_hex = attacker_key()
    edit_details(case_dir, seq, public_key=public_hex, key_id=key_id_of(public_hex))
