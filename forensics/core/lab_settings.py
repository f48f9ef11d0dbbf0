"""Lab-wide settings: where new cases and the hash-set library live when a lab shares a database server.

A workstation on its own needs none of this: cases are SQLite files in their folders and the library a
file in the user's data folder. A lab writes ``lab.toml`` once (``$CUSTOS_LAB_SETTINGS``, else
``<custos home>/lab.toml``; a lab deploys it to every workstation, e.g. from a share)::

    [database]
    case_server = "postgresql://pg.lab.example:5432"          # new cases get a database there
    hashset_library = "postgresql://pg.lab.example:5432/custos_hashsets"

Neither setting holds a user name or a password (docs/lab.md: credentials). ``$CUSTOS_CASE_SERVER``
overrides ``case_server``; the library's own ``$CUSTOS_HASHSET_LIBRARY`` overrides ``hashset_library``.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from forensics.core.errors import CustosError
from forensics.core.paths import custos_home

ENV_SETTINGS = "CUSTOS_LAB_SETTINGS"
ENV_CASE_SERVER = "CUSTOS_CASE_SERVER"
SETTINGS_NAME = "lab.toml"


@dataclass(frozen=True)
class LabSettings:
    """The lab's shared locations; None where the workstation's own default applies."""

    case_server: str | None = None
    hashset_library: str | None = None


def settings_path() -> Path:
    override = os.environ.get(ENV_SETTINGS)
    return Path(override) if override else custos_home() / SETTINGS_NAME


def _text(value: object, key: str, path: Path) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise CustosError(f"{path}: [database] {key} must be a text")
    if "@" in value.partition("://")[2].partition("/")[0]:
        raise CustosError(f"{path}: [database] {key} must not hold a user name or password")
    return value.strip()


def load_lab_settings() -> LabSettings:
    """The settings in force (an absent file: none)."""
    path = settings_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        data = {}
    except (OSError, UnicodeError, tomllib.TOMLDecodeError) as exc:
        raise CustosError(f"lab settings {path} cannot be read: {exc}") from None
    database = data.get("database", {})
    if not isinstance(database, dict):
        raise CustosError(f"{path}: [database] must be a table")
    server = os.environ.get(ENV_CASE_SERVER) or _text(database.get("case_server"), "case_server", path)
    library = _text(database.get("hashset_library"), "hashset_library", path)
    return LabSettings(case_server=server or None, hashset_library=library)
