"""Answer first (issue 26): matching while the ingest runs, live alerts, stop at the first alert, and the
processing order changing no result. Evidence: a phone-like FAT16 volume of real photos with stand-in lists
(``scripts/fixtures/first_alert.py``)."""

from __future__ import annotations

import json
import shutil
import signal
import sqlite3
import time
from pathlib import Path

from forensics.core.progress import AlertRecord
from forensics.pipeline import ingest as pipeline_ingest
from forensics.pipeline.processing_order import ProcessingOrder
from forensics.pipeline.processing_profiles import load_profile
from tests.app.cli_helpers import cli, custos_process, examiner_env, new_case
from tests.pipeline.first_alert_image import first_alert_image  # noqa: F401 - a fixture

TIMEOUT = 240
LISTED = {  # what the stand-in lists name, and how each is found
    ("/DCIM/Camera/IMG_0001.jpg", "md5"),
    ("/DCIM/Camera/IMG_0001.jpg", "sha1"),
    ("/DCIM/Camera/IMG_0003.jpg", "pdq"),  # re-encoded: only its PDQ is near the listed original
    ("album/IMG_0101.jpg", "md5"),  # inside /Download/holiday.zip
    ("album/IMG_0101.jpg", "sha1"),
    ("/Documents/notes.dat", "md5"),  # a picture under another name
    ("/Documents/notes.dat", "sha1"),
    ("/Pictures/old/_MG_0042.jpg", "md5"),  # deleted
    ("/Pictures/old/_MG_0042.jpg", "sha1"),
}


def _case(capsys, root: Path, image: Path, vics: Path | None, pdq: Path | None, library: Path) -> Path:
    case = new_case(capsys, root)
    assert cli(capsys, "evidence", "add", case, image, "--item", "PHONE").code == 0
    for path, name, fmt in ((vics, "stand-ins", "vics"), (pdq, "stand-ins-pdq", "pdq")):
        if path is not None:
            run = cli(
                capsys, "hashset", "import", path, "--name", name, "--format", fmt, "--library", library
            )
            assert run.code == 0, run.err
    return case


def _findings(capsys, case: Path) -> list[dict]:
    run = cli(capsys, "findings", case, "--jsonl")
    assert run.code == 0, run.err
    return [json.loads(line) for line in run.out.splitlines()]


def _keys(findings: list[dict]) -> list[tuple]:
    """What a finding says, without its row numbers and times."""
    return sorted(
        (
            f["path"],
            f["md5"],
            f["set"]["name"],
            f["entry"]["record_no"],
            f["algorithm"],
            f["distance"],
            f["variant"],
        )
        for f in findings
    )


def test_ingest_matches_as_it_goes_and_finds_what_ingest_then_match_finds(
    tmp_path,
    capsys,
    monkeypatch,
    first_alert_image,  # noqa: F811
) -> None:
    image, vics, pdq, _facts = first_alert_image
    examiner_env(monkeypatch)
    live_library, later_library = tmp_path / "live.db", tmp_path / "later.db"
    live = _case(capsys, tmp_path / "live", image, vics, pdq, live_library)
    run = cli(capsys, "ingest", live, "--workers", "2", "--library", live_library)
    assert run.code == 0, run.err
    assert "profile triage:" in run.out and "skips:" in run.out and "order: pictures and videos" in run.out
    alerts = [line for line in run.out.splitlines() if line.startswith("ALERT PHONE: ")]
    assert len(alerts) == 5  # one line per file and list entry (its MD5 and SHA-1 are one alert)
    assert any("/Download/holiday.zip > album/IMG_0101.jpg — stand-ins" in line for line in alerts)
    assert any("IMG_0003.jpg — stand-ins-pdq (PDQ distance" in line for line in alerts)
    found = _findings(capsys, live)
    assert {(f["path"], f["algorithm"]) for f in found} == LISTED
    assert len(found) == len({(f["path"], f["set"]["uid"], f["entry"]["id"], f["algorithm"]) for f in found})

    # The same evidence ingested with no list, then matched afterwards: the same findings.
    later = _case(capsys, tmp_path / "later", image, None, None, later_library)
    assert cli(capsys, "ingest", later, "--workers", "2", "--library", later_library).code == 0
    assert _findings(capsys, later) == []
    for path, name, fmt in ((vics, "stand-ins", "vics"), (pdq, "stand-ins-pdq", "pdq")):
        assert (
            cli(
                capsys, "hashset", "import", path, "--name", name, "--format", fmt, "--library", later_library
            ).code
            == 0
        )
    assert cli(capsys, "match", later, "--library", later_library).code == 0
    assert _keys(_findings(capsys, later)) == _keys(found)
    assert cli(capsys, "custody", "verify", live).code == 0


def _findings_in_db(case: Path) -> tuple[int, int]:
    """(findings, items still pending), read from the case database as a second reader would."""
    try:
        with sqlite3.connect(f"file:{case / 'case.db'}?mode=ro", uri=True, timeout=5) as conn:
            findings = conn.execute("SELECT count(*) FROM findings").fetchone()[0]
            pending = conn.execute("SELECT count(*) FROM files WHERE status = 'pending'").fetchone()[0]
    except sqlite3.OperationalError:
        return 0, 0
    return findings, pending


def _slow_ingest(tmp_path: Path, capsys, monkeypatch, listed_image, *options: str):  # noqa: ANN001, ANN202
    """A case of the listed pictures' image and its ingest started as a process, one worker slowed to
    0.3 s an item so that the test can look at the case while the job runs: (case folder, process)."""
    image, vics, pdq, _facts = listed_image
    examiner_env(monkeypatch)
    library = tmp_path / "library.db"
    case = _case(capsys, tmp_path / "case", image, vics, pdq, library)
    env = {"CUSTOS_TEST_ITEM_DELAY": "0.3", "CUSTOS_HASHSET_LIBRARY": str(library)}
    return case, custos_process("ingest", case, "--workers", "1", *options, env=env)


def test_findings_are_in_the_case_while_the_job_runs_and_alerts_are_events(
    tmp_path,
    capsys,
    monkeypatch,
    first_alert_image,  # noqa: F811
) -> None:
    case, process = _slow_ingest(tmp_path, capsys, monkeypatch, first_alert_image, "--progress-jsonl")
    seen_while_running = None
    deadline = time.monotonic() + TIMEOUT
    try:
        while time.monotonic() < deadline and process.poll() is None:
            findings, pending = _findings_in_db(case)
            if findings and pending:
                seen_while_running = (findings, pending)
                break
            time.sleep(0.1)
        out, err = process.communicate(timeout=TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err.decode()
    assert seen_while_running is not None, "no finding was readable before the job ended"
    events = [AlertRecord.parse(line) for line in err.decode().splitlines()]
    alerts = [e for e in events if e is not None]
    assert len(alerts) == 5 and all(a.item == "PHONE" and a.set_name.startswith("stand-ins") for a in alerts)
    # the media folders went first (hashed first, smallest first): one of their exactly listed pictures
    assert alerts[0].path in {"/DCIM/Camera/IMG_0001.jpg", "/Pictures/old/_MG_0042.jpg"}, alerts
    progress = [json.loads(line) for line in err.decode().splitlines() if line.startswith('{"progress"')]
    assert max(p["alerts"] for p in progress) == 5 and any(p["stage"] for p in progress)
    assert "ALERT PHONE: /DCIM/Camera/IMG_0001.jpg" in out.decode()


def _state_of(case: Path, path: str) -> tuple[int, str | None, str | None]:
    """(findings on the item, its status, its MD5) as a second reader sees them."""
    try:
        with sqlite3.connect(f"file:{case / 'case.db'}?mode=ro", uri=True, timeout=5) as conn:
            row = conn.execute("SELECT id, status, md5 FROM files WHERE path = ?", (path,)).fetchone()
            if row is None:
                return 0, None, None
            found = conn.execute("SELECT count(*) FROM findings WHERE file_id = ?", (row[0],)).fetchone()[0]
    except sqlite3.OperationalError:
        return 0, None, None
    return found, row[1], row[2]


def test_an_exact_alert_on_the_first_rank_comes_from_its_hashing_pass_before_its_analysis(
    tmp_path,
    capsys,
    monkeypatch,
    first_alert_image,  # noqa: F811
) -> None:
    """The first rank is hashed first: a listed picture's exact finding is in the case while the picture
    is still pending (not yet decoded), and the job then analyses it without changing its digests."""
    image, vics, pdq, _facts = first_alert_image
    examiner_env(monkeypatch)
    library = tmp_path / "library.db"
    case = _case(capsys, tmp_path / "case", image, vics, pdq, library)
    listed = "/DCIM/Camera/IMG_0001.jpg"
    slow = {"CUSTOS_TEST_ITEM_DELAY": "0.5", "CUSTOS_HASHSET_LIBRARY": str(library)}
    process = custos_process("ingest", case, "--workers", "1", "--progress-jsonl", env=slow)
    seen = None
    deadline = time.monotonic() + TIMEOUT
    try:
        while time.monotonic() < deadline and process.poll() is None:
            found, status, md5 = _state_of(case, listed)
            if found:
                seen = (status, md5)
                break
            time.sleep(0.05)
        out, err = process.communicate(timeout=TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err.decode()
    assert seen is not None and seen[0] == "pending" and seen[1], f"alert not ahead of the analysis: {seen}"
    found, status, md5 = _state_of(case, listed)
    assert status == "done" and md5 == seen[1]
    with sqlite3.connect(f"file:{case / 'case.db'}?mode=ro", uri=True) as conn:
        analysed = conn.execute(
            "SELECT count(*) FROM file_analysis a JOIN files f ON f.id = a.file_id WHERE f.path = ?",
            (listed,),
        ).fetchone()[0]
        jobs = conn.execute("SELECT items_done FROM ingest_jobs").fetchall()
        pending = conn.execute("SELECT count(*) FROM files WHERE status = 'pending'").fetchone()[0]
        done = conn.execute("SELECT count(*) FROM files WHERE status = 'done'").fetchone()[0]
    assert analysed == 1 and pending == 0
    assert jobs == [(done,)]  # each item counted once, the first pass not among them


def test_stop_at_the_first_alert_then_resume_gives_the_same_findings_once(
    tmp_path,
    capsys,
    monkeypatch,
    first_alert_image,  # noqa: F811
) -> None:
    image, vics, pdq, _facts = first_alert_image
    examiner_env(monkeypatch)
    library = tmp_path / "library.db"
    monkeypatch.setenv("CUSTOS_HASHSET_LIBRARY", str(library))
    case = _case(capsys, tmp_path / "case", image, vics, pdq, library)
    monkeypatch.setenv("CUSTOS_TEST_ITEM_DELAY", "0.3")  # read by the workers: the stop lands midway
    stopped = cli(capsys, "ingest", case, "--workers", "1", "--until-first-alert")
    monkeypatch.delenv("CUSTOS_TEST_ITEM_DELAY")
    assert stopped.code == 0, stopped.err
    assert "stopped at the first alert" in stopped.err and "not fully processed" in stopped.err
    first = _findings(capsys, case)
    assert first and len(first) < len(LISTED)
    log = [json.loads(line) for line in cli(capsys, "custody", "log", case, "--jsonl").out.splitlines()]
    ended = [e for e in log if e["action"] == "ingest_cancelled"][-1]["details"]
    assert ended["fully_processed"] is False and "first alert" in ended["stopped_at"]
    assert [e for e in log if e["action"] == "ingest_started"][-1]["details"]["until_first_alert"] is True
    report = tmp_path / "report.html"
    assert cli(capsys, "report", case, "--html", report).code == 0
    assert "stopped at the first alert" in report.read_text(encoding="utf-8")

    resumed = cli(capsys, "ingest", case, "--workers", "2")  # resumes, to the end
    assert resumed.code == 0, resumed.err
    final = _findings(capsys, case)
    assert {(f["path"], f["algorithm"]) for f in final} == LISTED  # nothing lost, nothing twice
    assert len(final) == len(LISTED)
    assert cli(capsys, "custody", "verify", case).code == 0


def test_cancel_after_the_first_alert_keeps_it_and_resume_adds_the_rest_once(
    tmp_path,
    capsys,
    monkeypatch,
    first_alert_image,  # noqa: F811
) -> None:
    case, process = _slow_ingest(tmp_path, capsys, monkeypatch, first_alert_image)
    try:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline and process.poll() is None and not _findings_in_db(case)[0]:
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        _out, err = process.communicate(timeout=TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 3, err.decode()
    kept = _findings(capsys, case)
    assert kept and _findings_in_db(case)[1] > 0  # findings kept, items left to do
    monkeypatch.setenv("CUSTOS_HASHSET_LIBRARY", str(tmp_path / "library.db"))
    assert cli(capsys, "ingest", case, "--workers", "2").code == 0
    final = _findings(capsys, case)
    assert {(f["path"], f["algorithm"]) for f in final} == LISTED and len(final) == len(LISTED)
    assert cli(capsys, "custody", "verify", case).code == 0  # the cancelled job's findings were sealed


GOLDEN_HOME = Path(__file__).resolve().parents[1] / "data" / "golden_cli" / "home"


def _outputs_of_one_run(
    capsys, monkeypatch, work: Path, image: Path, vics: Path, pdq: Path
) -> dict[str, bytes]:
    """The whole flow in ``work`` (the same path every run: evidence paths are signed) with a fixed clock."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    shutil.copytree(GOLDEN_HOME, work / "home")
    shutil.copyfile(image, work / "phone.raw")
    for key, value in {
        "CUSTOS_HOME": str(work / "home"),
        "CUSTOS_PASSPHRASE": "golden passphrase",
        "CUSTOS_EXAMINER": "Golden Examiner",
        "CUSTOS_FIXED_NOW": "2026-01-02T03:04:05.000006Z",
        "CUSTOS_HASHSET_LIBRARY": str(work / "library.db"),
        "TZ": "UTC",
    }.items():
        monkeypatch.setenv(key, value)
    case, out = work / "case", work / "out"
    steps = [
        ["case", "create", case, "--number", "O-1", "--title", "Order case"],
        ["evidence", "add", case, work / "phone.raw", "--item", "PHONE"],
        ["hashset", "import", vics, "--name", "stand-ins", "--format", "vics"],
        ["hashset", "import", pdq, "--name", "stand-ins-pdq", "--format", "pdq"],
        ["-q", "ingest", case, "--workers", "1"],
        ["export", case, "--csv", out / "csv"],
        ["export", case, "--vics", out / "vics.json"],
        ["export", case, "--case-uco", out / "case_uco.json"],
        ["export", case, "--dfxml", out / "dfxml.xml"],
        ["report", case, "--html", out / "report.html"],
    ]
    for step in steps:
        run = cli(capsys, *step)
        assert run.code == 0, (step, run.err)
    outputs = {
        "files.jsonl": cli(capsys, "files", case, "--jsonl").out.encode(),
        "findings.jsonl": cli(capsys, "findings", case, "--jsonl").out.encode(),
        "custody.jsonl": cli(capsys, "custody", "log", case, "--jsonl").out.encode(),
    }
    for path in sorted(out.rglob("*")):
        if path.is_file():
            outputs[str(path.relative_to(out))] = path.read_bytes()
    return outputs


def test_results_and_exports_are_byte_identical_whatever_the_processing_order(
    tmp_path,
    capsys,
    monkeypatch,
    first_alert_image,  # noqa: F811
) -> None:
    image, vics, pdq, _facts = first_alert_image
    handed: list[list[str]] = []

    def record_order(feed) -> None:  # noqa: ANN001 - the job's feed
        feed.keep_order = True
        handed.append(feed.order_seen)

    real_run_job = pipeline_ingest.run_job
    monkeypatch.setattr(
        "forensics.services.ingest.run_job",
        lambda *a, **k: real_run_job(*a, **{**k, "observe_feed": record_order}),
    )
    work = tmp_path / "run"
    first = _outputs_of_one_run(capsys, monkeypatch, work, image, vics, pdq)

    # The same job with the ranks reversed: everything else in walk order first, the media folders last,
    # and nothing hashed first (the first run hashed its media folders before analysing them).
    real_order_for = pipeline_ingest._order_for

    def reversed_order(order: ProcessingOrder, evidence) -> ProcessingOrder:  # noqa: ANN001
        given = real_order_for(order, evidence)
        return ProcessingOrder(tuple(reversed(given.rules)), given.header_check_items)

    monkeypatch.setattr(pipeline_ingest, "_order_for", reversed_order)
    second = _outputs_of_one_run(capsys, monkeypatch, work, image, vics, pdq)
    assert load_profile("triage").order.hash_first
    assert len(handed) == 2 and handed[0] != handed[1] and sorted(handed[0]) == sorted(handed[1])
    assert sorted(first) == sorted(second)
    different = [name for name in first if first[name] != second[name]]
    assert not different, f"outputs differ with the processing order: {different}"
    assert json.loads(first["findings.jsonl"].splitlines()[0])["path"]  # there were findings to compare
