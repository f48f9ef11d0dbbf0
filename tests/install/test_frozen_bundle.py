"""Smoke test of the installed form: build the PyInstaller bundle once, then run the frozen programs.

Slow (a PyInstaller build takes a few minutes): everything here shares one module-scoped build, so CI
builds once per run. Checks: ``custos --version`` says the pyproject version; a headless triage of the
bundled demo image (ingest with spawned workers) and a report of it; ``custos selftest`` passes with the
bundled libmagic database; the frozen GUI starts on a virtual X screen (Xvfb) and is photographed; the
Linux tarball and ``.deb`` hold the executables.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import build_installer
from tests.data.expected import DFVFS_EXT2_MEDIA_MD5, PASSWORDS_MD5

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(importlib.util.find_spec("PyInstaller") is None, reason="pip install -e .[build]"),
]

PROJECT = build_installer.read_project()
GUI_SECONDS = 8
ARTIFACTS = build_installer.ROOT / "tests" / ".cache" / "install"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One PyInstaller build for the whole module (about half a gigabyte, removed afterwards)."""
    work = tmp_path_factory.mktemp("bundle")
    yield build_installer.build_bundle(PROJECT, work / "dist", work / "build", clean=False)
    shutil.rmtree(work, ignore_errors=True)


def _frozen_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "CUSTOS_", "VIRTUAL_ENV"))}
    env.update({"CUSTOS_HOME": str(tmp / "home"), "TMPDIR": str(tmp), "HOME": str(tmp)})
    return env


def _run(
    exe: Path, *args: str | Path, env: dict[str, str], timeout: float = 300
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(exe), *[str(a) for a in args]],
        env=env,
        cwd=env["HOME"],
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def test_frozen_version_is_the_pyproject_version(bundle: Path, tmp_path: Path) -> None:
    result = _run(bundle / PROJECT.name, "--version", env=_frozen_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{PROJECT.name} {PROJECT.version}"


def test_bundle_carries_libmagic_and_the_migrations_as_files(bundle: Path) -> None:
    internal = bundle / "_internal"
    assert (internal / "libmagic" / "magic.mgc").is_file()
    assert list((internal / "libmagic").glob("libmagic.so*"))
    migrations = sorted(
        p.name for p in (internal / "forensics" / "case" / "migrations" / "versions").glob("0*.py")
    )
    source = sorted(
        p.name for p in (build_installer.ROOT / "forensics/case/migrations/versions").glob("0*.py")
    )
    assert migrations == source and (internal / "forensics" / "case" / "migrations" / "env.py").is_file()
    assert (internal / "resources" / "demo" / "ext2.E01").is_file()


def test_frozen_demo_triages_the_bundled_image(bundle: Path, tmp_path: Path) -> None:
    demo = _run(bundle / PROJECT.name, "demo", "--out", tmp_path / "case", env=_frozen_env(tmp_path))
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    assert "ALERT DEMO-1: /DCIM/Camera/IMG_0001.jpg — demo-known" in demo.stdout  # a live alert
    assert "demo-known" in demo.stdout  # the findings printed by `custos findings`


def test_frozen_headless_triage_and_report(bundle: Path, tmp_path: Path) -> None:
    """Examiner, case, evidence, ingest (spawned frozen workers), listing and report, as a lab would."""
    env = _frozen_env(tmp_path) | {
        "CUSTOS_PASSPHRASE": "frozen passphrase",
        "CUSTOS_EXAMINER": "Frozen Examiner",
    }
    case, image = tmp_path / "case", bundle / "_internal" / "resources" / "demo" / "ext2.E01"
    steps: list[list[str | Path]] = [
        ["examiner", "create", "Frozen Examiner", "--agency", "Lab", "--badge", "F-1"],
        ["case", "create", case, "--number", "F-1", "--title", "Frozen triage"],
        ["evidence", "add", case, image, "--item", "E1", "--description", "demo image"],
        ["ingest", case, "--workers", "2"],
        ["files", case],
        ["report", case, "--pdf", tmp_path / "r.pdf", "--html", tmp_path / "r.html"],
    ]
    outputs = []
    for step in steps:
        result = _run(bundle / PROJECT.name, *step, env=env)
        assert result.returncode == 0, f"{step}: {result.stdout[-2000:]} {result.stderr[-3000:]}"
        outputs.append(result.stdout)
    assert PASSWORDS_MD5 in outputs[4]
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert DFVFS_EXT2_MEDIA_MD5 in html and "ext2.E01" in html  # the item and its verified acquisition hash


def test_frozen_selftest_passes_with_the_bundled_magic_database(bundle: Path, tmp_path: Path) -> None:
    result = _run(
        bundle / PROJECT.name, "selftest", "--out", tmp_path / "validation", env=_frozen_env(tmp_path)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (html,) = (tmp_path / "validation").glob("validation-*.html")
    text = html.read_text(encoding="utf-8")
    assert "frozen bundle" in text
    assert str(bundle / "_internal" / "libmagic" / "magic.mgc") in text


def test_frozen_gui_starts_offscreen_and_keeps_running(bundle: Path, tmp_path: Path) -> None:
    env = _frozen_env(tmp_path) | {"QT_QPA_PLATFORM": "offscreen"}
    with (tmp_path / "gui.out").open("w") as log:
        gui = subprocess.Popen(
            [str(bundle / f"{PROJECT.name}-gui")],
            env=env,
            cwd=tmp_path,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        try:
            time.sleep(GUI_SECONDS)
            output = (tmp_path / "gui.out").read_text(errors="replace")
            assert gui.poll() is None, f"the frozen GUI exited with {gui.returncode}: {output[-3000:]}"
        finally:
            gui.terminate()
            gui.wait(timeout=30)


def _start_xvfb(tmp: Path) -> tuple[subprocess.Popen, str]:
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=(tmp / "xvfb.log").open("w"),
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    assert number, "Xvfb did not start"
    return server, f":{number}"


@pytest.mark.skipif(shutil.which("Xvfb") is None, reason="needs Xvfb (apt-get install xvfb)")
def test_frozen_gui_starts_and_shows_its_window(bundle: Path, tmp_path: Path) -> None:
    from PIL import ImageGrab, ImageStat

    server, display = _start_xvfb(tmp_path)
    env = _frozen_env(tmp_path) | {"DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
    gui = subprocess.Popen(
        [str(bundle / f"{PROJECT.name}-gui")],
        env=env,
        cwd=tmp_path,
        stdout=(tmp_path / "gui.out").open("w"),
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    try:
        time.sleep(GUI_SECONDS)
        log = (tmp_path / "gui.out").read_text(errors="replace")
        assert gui.poll() is None, f"the frozen GUI exited with {gui.returncode}: {log[-3000:]}"
        shot = ImageGrab.grab(xdisplay=display)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shot.save(ARTIFACTS / "frozen-gui.png")  # for a person to look at
        print(f"screenshot: {ARTIFACTS / 'frozen-gui.png'}")
        # A window was drawn: the screen is no longer one flat colour.
        assert max(ImageStat.Stat(shot.convert("L")).stddev) > 5
    finally:
        gui.terminate()
        gui.wait(timeout=30)
        server.terminate()
        server.wait(timeout=30)


def test_linux_installers_hold_the_executables(bundle: Path, tmp_path: Path) -> None:
    tarball = build_installer.make_tarball(PROJECT, bundle, tmp_path, level=1)
    top = f"{PROJECT.name}-{PROJECT.version}"
    with tarfile.open(tarball) as tar:
        names = set(tar.getnames())
    assert {
        f"{top}/{PROJECT.name}",
        f"{top}/{PROJECT.name}-gui",
        f"{top}/_internal/libmagic/magic.mgc",
    } <= names
    if shutil.which("dpkg-deb") is None:
        pytest.skip("dpkg-deb not installed: no .deb")
    deb = build_installer.make_deb(PROJECT, bundle, tmp_path, tmp_path / "work", level=1)
    info = subprocess.run(["dpkg-deb", "--info", str(deb)], capture_output=True, text=True, check=True).stdout
    assert f"Package: {PROJECT.name}" in info and f"Version: {PROJECT.version}" in info
    listing = subprocess.run(["dpkg-deb", "--contents", str(deb)], capture_output=True, text=True, check=True)
    assert f"./opt/{PROJECT.name}/{PROJECT.name}-gui" in listing.stdout
    assert f"./usr/bin/{PROJECT.name} -> /opt/{PROJECT.name}/{PROJECT.name}" in listing.stdout
