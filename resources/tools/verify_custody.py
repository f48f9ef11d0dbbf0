#!/usr/bin/env python3
"""Independent verifier of a Custos custody log (docs/custody.md), for anyone who holds a case folder.

Uses only the Python standard library and the ``cryptography`` package; it does not import Custos.
A case folder whose database is on a PostgreSQL server (its ``case-db.json`` names it) is read with the
``psycopg`` package, logged in as libpq's usual environment says (``PGUSER``, ``PGPASSWORD``, the pgpass
file), or ``CUSTOS_DB_USER``/``CUSTOS_DB_PASSWORD``; the role must be allowed to read that database.
Usage: verify_custody.py CASE_DIR [--trusted-keys FILE] [--head HASH] [--json]
Exit status: 0 intact, 1 broken, 2 cannot read the case.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sqlite3
import sys
import unicodedata
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

GENESIS = "0" * 64
COLUMNS = (
    "seq, format_version, ts, examiner, key_id, action, item, target_json, details_json, "
    "prev_hash, entry_hash, signature"
)


class Break(Exception):
    """The first place where the log is not what its examiners signed: entry number and kind."""

    def __init__(self, seq, kind, message):
        super().__init__(message)
        self.seq, self.kind, self.message = seq, kind, message


def canon(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def same_name(a, b):
    return (
        unicodedata.normalize("NFC", str(a).strip()).casefold()
        == unicodedata.normalize("NFC", str(b).strip()).casefold()
    )


def record_hash(row, seq):
    record = {
        "v": row["format_version"],
        "seq": seq,
        "ts": row["ts"],
        "examiner": row["examiner"],
        "key_id": row["key_id"],
        "action": row["action"],
        "item": row["item"],
        "target": row["target"],
        "details": row["details"],
        "prev_hash": row["prev_hash"],
    }
    return hashlib.sha256(canon(record).encode("utf-8")).hexdigest()


def parse(raw):
    """The row with its JSON parsed, or None when it cannot be read as a version-1 entry."""
    try:
        row = dict(raw)
        row["details"] = json.loads(row["details_json"])
        row["target"] = None if row["target_json"] is None else json.loads(row["target_json"])
        if (
            not isinstance(row["seq"], int)
            or row["format_version"] != 1
            or not isinstance(row["details"], dict)
        ):
            return None
        if row["target"] is not None and not isinstance(row["target"], dict):
            return None
        return row
    except (TypeError, ValueError):
        return None


def public_key(hex_text):
    return Ed25519PublicKey.from_public_bytes(bytes.fromhex(hex_text))


def signature_ok(public_hex, row):
    try:
        public_key(public_hex).verify(bytes.fromhex(row["signature"]), bytes.fromhex(row["entry_hash"]))
        return True
    except (InvalidSignature, ValueError, TypeError):
        return False


def check_registration(row, trusted):
    d, seq = row["details"], row["seq"]
    try:
        good = (
            len(bytes.fromhex(d["public_key"])) == 32
            and hashlib.sha256(bytes.fromhex(d["public_key"])).hexdigest() == d["key_id"]
            and str(d["name"]).strip()
        )
    except (KeyError, TypeError, ValueError):
        good = False
    if not good:
        raise Break(seq, "unknown_key", f"entry {seq}: registers a public key that does not match its key id")
    for name, key in trusted.items():
        if same_name(name, d["name"]) and key.lower() != d["public_key"]:
            raise Break(
                seq,
                "unknown_key",
                f"entry {seq}: the key registered for {d['name']!r} is not their trusted key",
            )


def signed_elsewhere(row, rows):
    """The number this entry's content was signed under, when it is not its current one."""
    top = max((r["seq"] for r in rows if isinstance(r["seq"], int)), default=0)
    others = (s for s in range(1, top + 2) if s != row["seq"])
    return next((s for s in others if record_hash(row, s) == row["entry_hash"]), None)


def diagnose_content(row, rows, hashes):
    """The content no longer matches the hash: edited, or moved (reordered, deleted, inserted)?"""
    seq = row["seq"]
    signed = signed_elsewhere(row, rows)
    if signed is None:
        return Break(seq, "edited", f"entry {seq}: a field was changed after signing")
    if row["prev_hash"] in hashes:
        return Break(seq, "reordered", f"entry {seq}: entries reordered (signed as number {signed})")
    if signed > seq:
        return Break(seq, "deleted", f"entry {seq} missing (deleted); later entries renumbered")
    return Break(seq, "inserted", f"entry {seq}: entries inserted before it (signed as number {signed})")


def check_entry(row, prev, members, trusted, rows, hashes):
    """Raise Break for the first thing wrong with this entry; members: name -> [key_id, public, active]."""
    seq = row["seq"]
    if row["target_json"] != (None if row["target"] is None else canon(row["target"])) or row[
        "details_json"
    ] != canon(row["details"]):
        raise Break(seq, "edited", f"entry {seq}: its stored JSON is not in canonical form")
    if record_hash(row, seq) != row["entry_hash"]:
        raise diagnose_content(row, rows, hashes)
    if row["action"] == "examiner_added":
        check_registration(row, trusted)
    if seq == 1:
        d = row["details"]
        if (
            row["action"] != "examiner_added"
            or d["key_id"] != row["key_id"]
            or not same_name(d["name"], row["examiner"])
        ):
            raise Break(
                1, "unknown_key", "entry 1: the log must start with the founder registering their key"
            )
        public = d["public_key"]
    else:
        holder = next((name for name, m in members.items() if m[0] == row["key_id"]), None)
        if holder is None:
            raise Break(seq, "unknown_key", f"entry {seq}: signed with a key not registered on this case")
        if not members[holder][2]:
            raise Break(seq, "unknown_key", f"entry {seq}: signed by {holder!r}, removed from the case")
        if not same_name(holder, row["examiner"]):
            raise Break(seq, "unknown_key", f"entry {seq}: claims {row['examiner']!r}, signed by {holder!r}")
        public = members[holder][1]
    if not signature_ok(public, row):
        raise Break(seq, "bad_signature", f"entry {seq}: the signature does not verify (re-hashed or forged)")
    if row["prev_hash"] != prev:
        if row["prev_hash"] in hashes:
            raise Break(seq, "reordered", f"entry {seq}: links to another entry than {seq - 1}")
        raise Break(seq, "deleted", f"entry {seq}: the entry it links to is missing")


def update_members(row, members):
    d = row["details"]
    if row["action"] == "examiner_added":
        for name in [n for n in members if same_name(n, d["name"])]:
            del members[name]
        members[d["name"]] = [d["key_id"], d["public_key"], True]
    elif row["action"] == "examiner_removed":
        for name in [n for n in members if same_name(n, d.get("name"))]:
            members[name][2] = False


def verify(rows, trusted=None, expected_head=None):
    """Return (number of good entries, head hash); raise Break at the first problem."""
    trusted = trusted or {}
    hashes = {r["entry_hash"] for r in rows}
    prev, expected, members = GENESIS, 1, {}
    for index, raw in enumerate(rows):
        seq = raw["seq"]
        if isinstance(seq, int) and seq > expected:
            raise Break(
                expected,
                "deleted",
                f"entry {expected} missing (deleted): entry {seq} follows entry {expected - 1}",
            )
        if isinstance(seq, int) and seq < expected:
            raise Break(seq, "inserted", f"entry {seq}: a second entry with this number")
        row = parse(raw)
        if row is None:
            raise Break(seq if isinstance(seq, int) else 0, "malformed", f"entry {seq}: cannot be read")
        try:
            check_entry(row, prev, members, trusted, rows, hashes)
        except Break:
            following = parse(rows[index + 1]) if index + 1 < len(rows) else None
            if (
                following
                and following["prev_hash"] == prev
                and record_hash(following, seq) == following["entry_hash"]
                and signed_elsewhere(row, rows) is None  # a moved genuine entry is a reordering
            ):
                raise Break(
                    seq, "inserted", f"entry {seq} was inserted (the next entry was signed as number {seq})"
                ) from None
            raise
        update_members(row, members)
        prev, expected = row["entry_hash"], seq + 1
    if not rows:
        raise Break(1, "deleted", "the custody log is empty")
    if expected_head and expected_head not in {r["entry_hash"] for r in rows}:
        raise Break(expected, "truncated", "the expected head hash is not in the log")
    return len(rows), prev


DB_ERRORS = (sqlite3.Error,)


def open_case(case_dir):
    """A read-only connection to the case's database: its SQLite file, or the server database its pointer
    names."""
    global DB_ERRORS
    pointer = Path(case_dir) / "case-db.json"
    if pointer.is_file():
        url = json.loads(pointer.read_text(encoding="utf-8"))["url"]
        import psycopg  # only for a case on a PostgreSQL server

        DB_ERRORS = (sqlite3.Error, psycopg.Error)
        login = {"user": os.environ.get("CUSTOS_DB_USER"), "password": os.environ.get("CUSTOS_DB_PASSWORD")}
        conn = psycopg.connect(url, **{k: v for k, v in login.items() if v}, connect_timeout=10)
        conn.read_only = True
        return conn
    path = Path(case_dir) / "case.db"
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found")
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def query(conn, sql, params=()):
    """A cursor of qmark SQL on either database (psycopg takes %s placeholders)."""
    if not isinstance(conn, sqlite3.Connection):
        sql = sql.replace("?", "%s")
    return conn.execute(sql, params)


def read_rows(case_dir):
    conn = open_case(case_dir)
    try:
        cursor = query(conn, f"SELECT {COLUMNS} FROM custody_log ORDER BY seq")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, r, strict=True)) for r in cursor]
    finally:
        conn.close()


# Sealed results (docs/custody.md, "Sealed results"): each seal entry names its tables' rules
# (integer key column; "self": the table has evidence_id, "file": through files.id = file_id).
def plain(value):
    if isinstance(value, bytes | bytearray | memoryview):
        return {"sha256": hashlib.sha256(bytes(value)).hexdigest()}
    if isinstance(value, bool):  # PostgreSQL's booleans, sealed as SQLite holds them (0 or 1)
        return int(value)
    if isinstance(value, dict | list):  # PostgreSQL's JSON values, sealed as their canonical text
        return canon(value)
    return value


def has_table(conn, name):
    if isinstance(conn, sqlite3.Connection):
        return conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (name,)).fetchone()
    sql = "SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = current_schema() AND tablename = %s"
    return conn.execute(sql, (name,)).fetchone()


HOLDERS = {  # how a row finds its evidence item: joins from the table t, and the evidence id column
    "self": ("", "t.evidence_id"),
    "file": (" LEFT JOIN files f ON f.id = t.file_id", "f.evidence_id"),
    "finding": (
        " LEFT JOIN findings d ON d.id = t.finding_id LEFT JOIN files f ON f.id = d.file_id",
        "f.evidence_id",
    ),
    "source": (" LEFT JOIN whatsapp_sources s ON s.id = t.source_id", "s.evidence_id"),
    "message": (
        " LEFT JOIN whatsapp_messages m ON m.id = t.message_id"
        " LEFT JOIN whatsapp_sources s ON s.id = m.source_id",
        "s.evidence_id",
    ),
}


def partition_rows(conn, table, key, how, item):
    """(key, leaf) of one partition's rows now in the case (key: its key columns' values, as three
    integers with unused places 0)."""
    joins, holder = HOLDERS[how]
    source = f"{table} t{joins}"
    if item == "":
        where, params = f"{holder} IS NULL OR {holder} NOT IN (SELECT id FROM evidence)", ()
    else:
        where, params = f"{holder} = (SELECT id FROM evidence WHERE item = ?)", (item,)
    cursor = query(conn, f"SELECT t.* FROM {source} WHERE {where}", params)
    names = [d[0] for d in cursor.description]
    for values in cursor:
        row = dict(zip(names, values, strict=True))
        values_of_key = [int(row[c]) for c in key]
        record = [table, values_of_key, {k: plain(v) for k, v in row.items()}]
        padded = tuple((values_of_key + [0, 0, 0])[:3])
        yield padded, hashlib.sha256(canon(record).encode("utf-8")).hexdigest()


def check_results(case_dir, rows):
    """None when the case was never sealed; else the problems found (empty: as sealed)."""
    sealing = ("results_sealed", "case_key_created", "examiner_removed")
    seals = [r for r in rows if r["action"] in sealing and "partitions" in json.loads(r["details_json"])]
    if not seals:
        return None
    signed, rules, problems = {}, {}, []
    for row in seals:
        details = json.loads(row["details_json"])
        signed.update(details.get("partitions", {}))
        rules.update({t: (tuple(rule[0]), rule[1]) for t, rule in details.get("rules", {}).items()})
        found = details.get("found_before")
        if found and not isinstance(details.get("resumes_job"), int):
            problems.append(
                f"entry {row['seq']}: its job found results altered since their seal: {canon(found)}"
            )
    conn = open_case(case_dir)
    try:
        items = [r[0] for r in query(conn, "SELECT item FROM evidence")] + [""]
        kept = {}
        if has_table(conn, "result_seal_rows"):
            for table, item, k1, k2, k3, value in query(
                conn, "SELECT tbl, item, k1, k2, k3, leaf FROM result_seal_rows"
            ):
                kept.setdefault(f"{table}/{item}", {})[(k1, k2, k3)] = value
        for table, (key, how) in sorted(rules.items()):
            if not has_table(conn, table):
                continue
            parts = set(items) | {
                p.split("/", 1)[1] for p in set(signed) | set(kept) if p.split("/", 1)[0] == table
            }
            for item in sorted(parts):
                part = f"{table}/{item}"
                now = dict(partition_rows(conn, table, key, how, item))
                theirs = kept.get(part, {})
                digest = hashlib.sha256()
                for k in sorted(theirs):
                    digest.update(theirs[k].encode("ascii") + b"\n")
                expected = signed.get(part)
                if (
                    expected is None
                    and theirs
                    or (
                        expected is not None and expected != {"rows": len(theirs), "root": digest.hexdigest()}
                    )
                ):
                    problems.append(
                        f"{part}: the kept row digests do not give the signed root (seal altered)"
                    )
                for label, keys in (
                    ("changed", [k for k in now if k in theirs and now[k] != theirs[k]]),
                    ("appeared", [k for k in now if k not in theirs]),
                    ("vanished", [k for k in theirs if k not in now]),
                ):
                    if keys:
                        width = len(rules[table][0])
                        shown = ", ".join("/".join(map(str, k[:width])) for k in sorted(keys))
                        problems.append(f"{part}: rows {label} since the seal: {shown}")
    finally:
        conn.close()
    return problems


def read_checkpoint(path):
    """The signed checkpoint a Custos report carries (PDF keywords or an HTML script element)."""
    data = Path(path).read_bytes()
    found = re.search(rb"custos-checkpoint-v1:([0-9a-f]+)", data)
    if found:
        return json.loads(bytes.fromhex(found.group(1).decode("ascii")).decode("utf-8"))
    found = re.search(
        r'<script type="application/json" id="custos-checkpoint">(.*?)</script>',
        data.decode("utf-8", "replace"),
        re.S,
    )
    if found:
        return json.loads(found.group(1).replace("<\\/", "</"))
    raise ValueError(f"{path}: no custody checkpoint in this file")


def check_checkpoint(checkpoint, heads, trusted):
    """Problems (empty: the log holds the report's checkpoint, signed by a trusted key)."""
    problems = []
    name = str(checkpoint.get("report_id", "?"))
    body = {k: v for k, v in checkpoint.items() if k != "signature"}
    digest = hashlib.sha256(canon(body).encode("utf-8")).hexdigest()
    if checkpoint.get("case") != heads.get(1):
        problems.append(f"report {name}: its checkpoint is of another case (or of a replaced log)")
    key = next((k for n, k in trusted.items() if same_name(n, str(checkpoint.get("examiner", "")))), None)
    if key is None:
        problems.append(f"report {name}: no trusted key for {checkpoint.get('examiner')!r}")
    else:
        try:
            public_key(key.lower()).verify(
                bytes.fromhex(checkpoint.get("signature", "")), bytes.fromhex(digest)
            )
        except (InvalidSignature, ValueError):
            problems.append(f"report {name}: the checkpoint's signature does not verify with the trusted key")
    if heads.get(checkpoint.get("entries")) != checkpoint.get("head"):
        problems.append(
            f"report {name}: the log's entry {checkpoint.get('entries')} is missing or different: "
            "entries were removed, the log was replaced, or this is an older copy of the case"
        )
    return problems


def check_witness(path, heads):
    """Problems of the log against a witness file (JSON lines: case, seq, head)."""
    problems = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        try:
            data = json.loads(line)
        except ValueError:
            continue
        if data.get("case") != heads.get(1) or "seq" not in data:
            continue
        if heads.get(int(data["seq"])) != data.get("head"):
            problems.append(
                f"witnessed entry {data['seq']} is missing or different: entries removed or replaced"
            )
    return problems


def load_trusted(path):
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return {r["name"]: r["public_key"] for r in (data if isinstance(data, list) else [data])}


def main(argv=None):
    parser = argparse.ArgumentParser(description="Verify the custody log of a Custos case folder.")
    parser.add_argument("case_dir")
    parser.add_argument("--trusted-keys", help="JSON: examiner public records (name, public_key)")
    parser.add_argument(
        "--head", help="a head hash printed earlier (e.g. in a report) that must be in the log"
    )
    parser.add_argument(
        "--report", action="append", default=[], help="a report whose checkpoint the log must hold"
    )
    parser.add_argument(
        "--witness", action="append", default=[], help="a witness file (JSON lines) to hold the log to"
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    try:
        rows = read_rows(args.case_dir)
        trusted = load_trusted(args.trusted_keys) if args.trusted_keys else {}
    except (OSError, ValueError, KeyError, ImportError, *DB_ERRORS) as exc:
        print(f"verify_custody: cannot read: {exc}", file=sys.stderr)
        return 2
    result = {"ok": True, "entries": 0, "head_hash": None, "break": None}
    try:
        result["entries"], result["head_hash"] = verify(rows, trusted, args.head)
    except Break as brk:
        result.update(
            ok=False,
            entries=brk.seq - 1,
            **{"break": {"seq": brk.seq, "kind": brk.kind, "message": brk.message}},
        )
    if result["ok"]:
        try:
            results = check_results(args.case_dir, rows)
            heads = {r["seq"]: r["entry_hash"] for r in rows}
            anchors = [
                p for path in args.report for p in check_checkpoint(read_checkpoint(path), heads, trusted)
            ]
            anchors += [p for path in args.witness for p in check_witness(path, heads)]
        except (OSError, ValueError, *DB_ERRORS) as exc:
            print(f"verify_custody: cannot read: {exc}", file=sys.stderr)
            return 2
        registered = {
            json.loads(r["details_json"]).get("name") for r in rows if r["action"] == "examiner_added"
        }
        unanchored = sorted(n for n in registered if not any(same_name(t, n) for t in trusted))
        result.update(results=results, anchor_problems=anchors, unanchored=unanchored)
        result["ok"] = not results and not anchors and not unanchored
    if args.json:
        print(json.dumps(result, indent=2))
    elif result["ok"]:
        sealed = "never sealed" if result.get("results") is None else "as sealed"
        print(f"INTACT: {result['entries']} entries, head {result['head_hash']}; results {sealed}")
    elif result.get("break") is None:
        print(f"chain consistent, NOT VERIFIED: {result['entries']} entries, head {result['head_hash']}")
        for line in result.get("results") or []:
            print(f"  results: {line}")
        for line in result.get("anchor_problems") or []:
            print(f"  anchor: {line}")
        if result.get("unanchored"):
            print(f"  no trusted key (--trusted-keys) for: {', '.join(result['unanchored'])}")
    else:
        brk = result["break"]
        print(f"BROKEN at entry {brk['seq']} ({brk['kind']}): {brk['message']}")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
