"""GUI test fixtures: isolated QSettings, an examiner, and a case ingested once per session.

The evidence is a folder of JPEGs copied from ``tests/data/exif-py`` (ExifRead's test images; license in
that folder's NOTICE.md) plus one exact duplicate and a text file, so the gallery has GPS photos, a
camera photo and a stack of identical files. It is built by this fixture, never by hand.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

REPO = Path(__file__).resolve().parents[2]
EXIF_DATA = REPO / "tests" / "data" / "exif-py" / "jpg"
EXAMINER = "Ann Example"
AGENCY = "Test Lab"
PASSPHRASE = "correct horse battery"
GPS_PHOTOS = ("DSCN0010.jpg", "DSCN0025.jpg", "DSCN0042.jpg")


@dataclass(frozen=True)
class TemplateCase:
    home: Path
    case_dir: Path
    evidence: Path


def build_photo_folder(target: Path) -> Path:
    """photos/gps/3 GPS JPEGs, photos/Canon_40D.jpg, docs/copy.jpg (duplicate of it), docs/readme.txt."""
    (target / "photos" / "gps").mkdir(parents=True)
    (target / "docs").mkdir()
    for name in GPS_PHOTOS:
        shutil.copyfile(EXIF_DATA / "gps" / name, target / "photos" / "gps" / name)
    shutil.copyfile(EXIF_DATA / "Canon_40D.jpg", target / "photos" / "Canon_40D.jpg")
    shutil.copyfile(EXIF_DATA / "Canon_40D.jpg", target / "docs" / "copy.jpg")
    (target / "docs" / "readme.txt").write_text("meeting at the harbour, 9pm\n", encoding="utf-8")
    return target


REVIEW_PROFILE = "gui-review"


def build_resources(target: Path) -> Path:
    """The bundled resources plus a profile ``gui-review``: the full profile without hash-set matching.

    The GUI tests need hashes, types, EXIF and thumbnails; matching is the hash-set work's to test, and
    leaving it out keeps these tests independent of the state of the hash-set library.
    """
    shutil.copytree(REPO / "resources", target)
    full = (target / "profiles" / "full.toml").read_text(encoding="utf-8")
    review = full.replace('name = "full"', f'name = "{REVIEW_PROFILE}"').replace(
        "match = true", "match = false"
    )
    assert review != full
    (target / "profiles" / f"{REVIEW_PROFILE}.toml").write_text(review, encoding="utf-8")
    return target


@pytest.fixture(scope="session")
def gui_resources(tmp_path_factory) -> Path:
    return build_resources(tmp_path_factory.mktemp("gui-resources") / "resources")


@pytest.fixture
def review_resources(gui_resources, monkeypatch) -> Path:
    """Make the ``gui-review`` profile visible to this process and to the jobs it starts."""
    monkeypatch.setenv("CUSTOS_RESOURCES", str(gui_resources))
    return gui_resources


def run_cli(home: Path, *args: str, resources: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, CUSTOS_HOME=str(home), CUSTOS_PASSPHRASE=PASSPHRASE, CUSTOS_EXAMINER=EXAMINER)
    if resources is not None:
        env["CUSTOS_RESOURCES"] = str(resources)
    return subprocess.run(
        [sys.executable, "-m", "app", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="session")
def template_case(tmp_path_factory, gui_resources) -> TemplateCase:
    """A case with the photo folder added and ingested with the ``gui-review`` profile (built once)."""
    root = tmp_path_factory.mktemp("gui-template")
    home = root / "home"
    evidence = build_photo_folder(root / "evidence")
    case_dir = root / "case"
    for args in (
        ("examiner", "create", EXAMINER, "--agency", AGENCY, "--badge", "T-1"),
        ("case", "create", str(case_dir), "--number", "GUI-1", "--title", "GUI test case"),
        ("evidence", "add", str(case_dir), str(evidence), "--item", "EV1", "--description", "photo folder"),
        ("ingest", str(case_dir), "--profile", REVIEW_PROFILE, "--workers", "1"),
    ):
        done = run_cli(home, *args, resources=gui_resources)
        assert done.returncode == 0, f"custos {' '.join(args)}: {done.stderr}"
    return TemplateCase(home, case_dir, evidence)


def install_examiner(source_home: Path) -> None:
    """Copy the template's examiner profiles into this test's (isolated) CUSTOS_HOME."""
    target = Path(os.environ["CUSTOS_HOME"]) / "examiners"
    shutil.copytree(source_home / "examiners", target, dirs_exist_ok=True)


@pytest.fixture
def ingested_case(template_case, tmp_path) -> Path:
    """A private copy of the template case, its examiner installed for this test."""
    install_examiner(template_case.home)
    case_dir = tmp_path / "case"
    shutil.copytree(template_case.case_dir, case_dir)
    return case_dir


@pytest.fixture
def session(ingested_case):
    from ui.adapter import CaseSession

    opened = CaseSession.open(ingested_case, EXAMINER, PASSPHRASE)
    yield opened
    opened.close()


@pytest.fixture
def gui_settings(tmp_path) -> QSettings:
    return QSettings(str(tmp_path / "custos-gui.ini"), QSettings.Format.IniFormat)


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory) -> Path:
    """``$CUSTOS_SCREENSHOT_DIR`` when set, else a temporary folder (printed at the end of the run)."""
    env = os.environ.get("CUSTOS_SCREENSHOT_DIR")
    folder = Path(env) if env else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nGUI screenshots: {folder}")
    return folder
