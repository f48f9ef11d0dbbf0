"""Examiner profiles: stored outside cases, private key sealed by the passphrase."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from custody_helpers import PASSPHRASE

from forensics.core.errors import AccessDenied, CustosError
from forensics.custody.examiners import (
    create_examiner,
    custos_home,
    find_examiner,
    list_examiners,
    load_examiner,
    profile_path,
)
from forensics.custody.keys import PassphraseError, public_key_hex


def test_home_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert custos_home() == tmp_path / "custos-home"
    monkeypatch.delenv("CUSTOS_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert custos_home() == tmp_path / "xdg" / "custos"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert custos_home() == tmp_path / "home" / ".local" / "share" / "custos"


def test_profile_is_private_and_holds_no_plain_key(custos_home: Path) -> None:
    profile = create_examiner("Alice Example", "Metro", "MP-1", PASSPHRASE)
    path = profile_path("Alice Example")
    assert path.parent == custos_home / "examiners"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = json.loads(path.read_text())
    raw_private = profile.unlock(PASSPHRASE).private_bytes_raw().hex()
    assert raw_private not in path.read_text()
    assert data["public_key"] == public_key_hex(profile.unlock(PASSPHRASE))


def test_names_are_case_insensitive_and_unique() -> None:
    create_examiner("Alice Example", "Metro", "MP-1", PASSPHRASE)
    assert load_examiner("alice example").name == "Alice Example"
    with pytest.raises(CustosError, match="already exists"):
        create_examiner("ALICE EXAMPLE", "Other", "X", PASSPHRASE)
    create_examiner("Bob", "Metro", "MP-2", PASSPHRASE)
    assert [p.name for p in list_examiners()] == ["Alice Example", "Bob"]


def test_wrong_passphrase_cannot_unlock_the_key() -> None:
    profile = create_examiner("Alice Example", "Metro", "MP-1", PASSPHRASE)
    with pytest.raises(PassphraseError, match="wrong passphrase"):
        profile.unlock("not the passphrase")


@pytest.mark.parametrize(
    ("name", "agency", "badge", "passphrase"),
    [
        ("", "A", "B", PASSPHRASE),
        ("X", "", "B", PASSPHRASE),
        ("X", "A", "B", "short"),
        ("X\n", "A", "B\x00", "x"),
    ],
)
def test_bad_profile_input_is_refused(name: str, agency: str, badge: str, passphrase: str) -> None:
    with pytest.raises(ValueError):
        create_examiner(name, agency, badge, passphrase)
    assert find_examiner(name or "nobody") is None


def test_unknown_or_missing_examiner_is_refused() -> None:
    with pytest.raises(AccessDenied, match="no examiner given"):
        load_examiner(None)
    with pytest.raises(AccessDenied, match="unknown examiner"):
        load_examiner("Nobody")


def test_damaged_profile_is_skipped_in_listings(custos_home: Path) -> None:
    create_examiner("Alice Example", "Metro", "MP-1", PASSPHRASE)
    (custos_home / "examiners" / "junk.json").write_text("{not json")
    assert [p.name for p in list_examiners()] == ["Alice Example"]
