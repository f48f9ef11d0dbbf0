"""Builders of generated hash-set fixtures: RDS v3 databases, full (NIST schema) and minimal (FORMATS.md)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"
NIST_SCHEMA = DATA / "rds4xways" / "RDSv3_2021.12.2_curated.schema.sql"

# The minimal RDS v3 layout, as FORMATS.md §1.1 documents it (five real tables plus the DISTINCT_HASH view).
MINIMAL_SCHEMA = """
CREATE TABLE FILE (sha256 VARCHAR NOT NULL, sha1 VARCHAR NOT NULL, md5 VARCHAR NOT NULL,
    crc32 VARCHAR NOT NULL, file_name VARCHAR NOT NULL, file_size INTEGER NOT NULL,
    package_id INTEGER NOT NULL,
    PRIMARY KEY (sha256, sha1, md5, crc32, file_name, file_size, package_id));
CREATE TABLE MFG (manufacturer_id INTEGER NOT NULL, name VARCHAR NOT NULL, PRIMARY KEY (manufacturer_id));
CREATE TABLE OS (operating_system_id INTEGER NOT NULL, name VARCHAR NOT NULL, version VARCHAR NOT NULL,
    manufacturer_id INTEGER NOT NULL, PRIMARY KEY (operating_system_id, manufacturer_id));
CREATE TABLE PKG (package_id INTEGER NOT NULL, name VARCHAR NOT NULL, version VARCHAR NOT NULL,
    operating_system_id INTEGER NOT NULL, manufacturer_id INTEGER NOT NULL, language VARCHAR NOT NULL,
    application_type VARCHAR NOT NULL,
    PRIMARY KEY (package_id, operating_system_id, manufacturer_id, language, application_type));
CREATE TABLE VERSION (version VARCHAR UNIQUE NOT NULL, build_set VARCHAR NOT NULL, build_date TIMESTAMP,
    release_date TIMESTAMP NOT NULL, description VARCHAR NOT NULL, PRIMARY KEY (version));
CREATE VIEW DISTINCT_HASH AS SELECT DISTINCT sha256, sha1, md5, crc32 FROM FILE;
"""

RdsRow = tuple[str, str, str, str, str, int, int]  # sha256, sha1, md5, crc32, name.ext, size, package_id


def build_rds3_full(path: Path, rows: list[RdsRow], version: str = "2021.12.2") -> Path:
    """An RDS v3 *full* database from NIST's published schema: METADATA rows + PACKAGE_OBJECT links."""
    connection = sqlite3.connect(path)
    try:
        connection.executescript(NIST_SCHEMA.read_text(encoding="utf-8"))
        for number, (sha256, sha1, md5, crc32, name, size, package) in enumerate(rows, start=1):
            stem, _, extension = name.rpartition(".")
            connection.execute(
                "INSERT INTO PACKAGE_OBJECT (package_object_id, package_id, object_id) VALUES (?, ?, ?)",
                (number, package, number),
            )
            connection.execute(
                "INSERT INTO METADATA (metadata_id, object_id, key_hash, path, file_name, extension, bytes, "
                "crc32, md5, sha1, sha256) VALUES (?, ?, ?, '/', ?, ?, ?, ?, ?, ?, ?)",
                (
                    number,
                    number,
                    sha256,
                    stem or name,
                    extension if stem else "",
                    size,
                    crc32,
                    md5,
                    sha1,
                    sha256,
                ),
            )
        connection.execute(
            "INSERT INTO VERSION (version, build_set, release_date, description) VALUES (?, 'curated', "
            "'2021-12-01', 'test')",
            (version,),
        )
        connection.commit()
    finally:
        connection.close()
    return path


def build_rds3_minimal(path: Path, rows: list[RdsRow], version: str = "2026.03.1") -> Path:
    """An RDS v3 *minimal* database: FILE a real table, DISTINCT_HASH a view; upper-case hex as NIST ships."""
    connection = sqlite3.connect(path)
    try:
        connection.executescript(MINIMAL_SCHEMA)
        connection.executemany(
            "INSERT INTO FILE VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(a.upper(), b.upper(), c.upper(), d, e, f, g) for a, b, c, d, e, f, g in rows],
        )
        connection.execute(
            "INSERT INTO VERSION VALUES (?, 'modern', NULL, '2026-03-06', 'test')",
            (version,),
        )
        connection.commit()
    finally:
        connection.close()
    return path
