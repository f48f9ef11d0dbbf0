"""No network, proven: ingest, matching, reporting, selftest and the GUI start run under an audit hook
that refuses (and records) every name lookup and internet socket use, in every process they start.

The guard is ``netguard/sitecustomize.py``, put on PYTHONPATH so that spawned ingest workers import it at
start-up as well. Limits: the hook sees Python-level socket use; native libraries that open sockets in C
(none of ours is expected to) are covered only by the check that Qt's network module is never loaded.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.data.expected import DATA_DIR, PASSWORDS_MD5
from tests.install.netguard_helpers import REPO_ROOT, run_custos, run_guarded

EXAMINER = "Net Guard"
PASSPHRASE = "offline lab passphrase"
DEMO_IMAGE = REPO_ROOT / "resources" / "demo" / "ext2.E01"
PICTURES = (DATA_DIR / "ThreatExchange" / "rgb.jpeg", DATA_DIR / "exif-py" / "jpg" / "Kodak_CX7530.jpg")

GUI_START = """
import sys
from PySide6.QtCore import QTimer
from ui.app import make_application
from ui.main_window import MainWindow

app = make_application()
window = MainWindow()
window.show()
QTimer.singleShot(2500, app.quit)
app.exec()
loaded = sorted(name for name in sys.modules if name.startswith("PySide6.QtNetwork"))
print("qt-network-modules:", loaded)
sys.exit(1 if loaded else 0)
"""


def test_guard_refuses_lookups_and_connections_and_records_them(tmp_path: Path) -> None:
    """The guard itself works (otherwise the tests below could not fail)."""
    log = tmp_path / "guard.log"
    lookup = run_guarded(["-c", "import socket; socket.getaddrinfo('example.invalid', 80)"], log)
    assert lookup.code != 0 and "NetworkUseForbidden" in lookup.err
    swallowed = run_guarded(
        [
            "-c",
            "import socket\ntry:\n    socket.socket().connect(('127.0.0.1', 9))\nexcept Exception:\n    pass",
        ],
        log,
    )
    assert swallowed.code == 0  # the program hid the error, but the log did not
    events = [line.split()[2] for line in swallowed.violations]
    assert events == ["socket.getaddrinfo", "socket.connect"]


def test_guard_allows_local_ipc(tmp_path: Path) -> None:
    log = tmp_path / "guard.log"
    result = run_guarded(
        ["-c", "import socket; a, b = socket.socketpair(); a.send(b'x'); assert b.recv(1)"], log
    )
    assert result.code == 0, result.err
    assert result.violations == [] and len(result.armed_processes) == 1


@pytest.fixture(scope="module")
def offline_case(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """(case folder, guard log, output folder) after a whole triage run under the guard."""
    work = tmp_path_factory.mktemp("offline")
    log, case, out = work / "guard.log", work / "case", work / "out"
    pictures = work / "pictures"
    pictures.mkdir()
    for picture in PICTURES:
        shutil.copyfile(picture, pictures / picture.name)
    hash_list = work / "known.md5"
    hash_list.write_text(f"{PASSWORDS_MD5} *passwords.txt\n", encoding="ascii")
    env = {
        "CUSTOS_HOME": str(work / "home"),
        "CUSTOS_PASSPHRASE": PASSPHRASE,
        "CUSTOS_EXAMINER": EXAMINER,
        "CUSTOS_HASHSET_LIBRARY": str(work / "library.db"),
    }
    steps: list[list[str | Path]] = [
        ["examiner", "create", EXAMINER, "--agency", "Offline Lab", "--badge", "OL-1"],
        ["case", "create", case, "--number", "NET-1", "--title", "No network"],
        ["evidence", "add", case, DEMO_IMAGE, "--item", "E1", "--description", "ext2 E01"],
        ["evidence", "add", case, pictures, "--item", "P1", "--description", "pictures folder"],
        ["verify", case, "--item", "E1"],
        ["hashset", "import", hash_list, "--name", "known", "--kind", "alert"],
        ["ingest", case, "--workers", "2", "--profile", "full"],
        ["match", case],
        ["findings", case, "--jsonl"],
        ["report", case, "--pdf", out / "report.pdf", "--html", out / "report.html"],
        ["selftest", "--out", out],
    ]
    out.mkdir()
    for step in steps:
        result = run_custos(log, *step, **env)
        assert result.code == 0, f"custos {step}: {result.err[-2000:]}"
        if step[0] == "findings":
            (out / "findings.jsonl").write_text(result.out, encoding="utf-8")
    return case, log, out


def test_triage_match_report_selftest_use_no_network(offline_case: tuple[Path, Path, Path]) -> None:
    _case, log, out = offline_case
    lines = log.read_text(encoding="utf-8").splitlines()
    assert [line for line in lines if line.startswith("VIOLATION")] == []
    armed = {line.split()[1] for line in lines if line.startswith("ARMED")}
    # 11 CLI runs plus the ingest worker processes: the workers were guarded too.
    assert len(armed) > 11
    assert (out / "report.pdf").read_bytes().startswith(b"%PDF")
    assert PASSWORDS_MD5 in (out / "findings.jsonl").read_text(encoding="utf-8")
    assert list(out.glob("validation-*.pdf")) and list(out.glob("validation-*.html"))


def test_html_outputs_fetch_nothing(offline_case: tuple[Path, Path, Path]) -> None:
    """Reports opened on an offline workstation need nothing from outside: no remote URLs to load."""
    _case, _log, out = offline_case
    for page in [out / "report.html", *out.glob("validation-*.html")]:
        text = page.read_text(encoding="utf-8").lower()
        for remote in ('src="http', "src='http", 'href="http', "url(http", "@import"):
            assert remote not in text, f"{page.name} loads {remote}"


def test_gui_start_uses_no_network(tmp_path: Path) -> None:
    log = tmp_path / "guard.log"
    result = run_guarded(
        ["-c", GUI_START], log, CUSTOS_HOME=str(tmp_path / "home"), QT_QPA_PLATFORM="offscreen", timeout=120
    )
    assert result.code == 0, result.out + result.err
    assert result.violations == []
    assert len(result.armed_processes) >= 1
