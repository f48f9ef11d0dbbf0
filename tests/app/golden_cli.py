"""One whole case through the ``custos`` command line, with a fixed clock and a fixed examiner key.

Every output an examiner or a court sees (listings, findings, custody log, exports, reports) is kept as a
golden file in ``tests/data/golden_cli``: a change of the code's structure must leave them byte-identical.
Regenerate (only for an intended change of output, and say why in the commit):

    PYTHONPATH=. .venv/bin/python -m tests.app.golden_cli --update
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, redirect_stdout
from pathlib import Path
from unittest import mock

from forensics.core.filelock import LockBusy, exclusive_lock

DATA = Path(__file__).resolve().parents[1] / "data"
GOLDEN = DATA / "golden_cli"
EXAMINER = "Golden Examiner"
PASSPHRASE = "golden passphrase"
FIXED_NOW = "2026-01-02T03:04:05.000006Z"
# What the reports' tool table says of the operating system: the kernel build differs from one machine
# (and one CI runner) to the next, and the outputs must not.
FIXED_PLATFORM = "Linux-golden-run-x86_64"
# Pictures of a folder evidence item: real photos from the test data (their own notices apply).
PICTURES = [
    DATA / "pdqhash-python" / "images" / "image1.jpg",
    DATA / "pdqhash-python" / "images" / "image2.jpg",
    DATA / "pdqhash-python" / "images" / "image3.jpg",
    DATA / "exif-py" / "jpg" / "Canon_40D.jpg",
    DATA / "ThreatExchange" / "rgb.jpeg",
]


def _environment(work: Path) -> dict[str, str]:
    home = work / "home"
    if not home.exists():
        shutil.copytree(GOLDEN / "home", home)
    return {
        "CUSTOS_HOME": str(home),
        "CUSTOS_PASSPHRASE": PASSPHRASE,
        "CUSTOS_EXAMINER": EXAMINER,
        "CUSTOS_FIXED_NOW": FIXED_NOW,
        "CUSTOS_HASHSET_LIBRARY": str(work / "library.db"),
        "TZ": "UTC",
    }


def _custos(args: list[str]) -> str:
    """Run one ``custos`` command in this process; its standard output (a failure raises)."""
    from app.cli import main

    out = io.StringIO()
    with redirect_stdout(out):
        status = main(args)
    if status not in (0, None):
        raise RuntimeError(f"custos {' '.join(args)} exited {status}:\n{out.getvalue()}")
    return out.getvalue()


def _picture_image(work: Path) -> Path:
    """A FAT16 image of the pictures (one deleted), built with mkfs.fat and mtools at fixed times."""
    from scripts.fixtures.content import Entry
    from scripts.fixtures.fat import build_fat

    entries = [
        Entry(
            f"/{'DCIM' if index % 2 == 0 else 'Download'}/{picture.name.lower()}",
            data=picture.read_bytes(),
            mtime=1_600_000_000 + 2 * index,
            deleted=index == 4,
        )
        for index, picture in enumerate(PICTURES)
    ]
    image = work / "pictures.raw"
    build_fat(
        image,
        entries,
        fat_bits=16,
        size_mib=4,
        label="PICTURES",
        volume_id="1234abcd",
        created_at=1_600_000_000,
    )
    return image


def _hash_lists(work: Path) -> tuple[Path, Path]:
    """An MD5 list of two pictures and a PDQ list holding the PDQ of a third (from its published value)."""
    import hashlib

    md5_list = work / "alert-md5.txt"
    md5_list.write_text(
        "".join(hashlib.md5(p.read_bytes()).hexdigest() + "\n" for p in (PICTURES[0], PICTURES[3])),
        encoding="ascii",
    )
    expected = json.loads((GOLDEN / "pdq_reference.json").read_text(encoding="utf-8"))
    pdq_list = work / "alert.pdq"
    pdq_list.write_text(f"{expected['pdq']},{expected['quality']}\n", encoding="ascii")
    return md5_list, pdq_list


def default_work() -> Path:
    """The run's folder: always the same path, since evidence paths are signed into the custody log."""
    import tempfile

    return Path(tempfile.gettempdir()) / "custos-golden-cli"


def run_flow(work: Path) -> dict[str, bytes]:
    """Create, add, verify, ingest, match, list, export and report one case; returns each output's bytes.

    ``work`` is emptied first. Runs from other checkouts on this machine share the fixed folder, so
    each run waits for the folder's lock first.
    """
    with _folder_lock(work):
        return _run_locked(work)


@contextmanager
def _folder_lock(work: Path) -> Iterator[None]:
    """Hold the lock beside ``work``, waiting up to ten minutes for another run to finish."""
    lock = work.with_name(work.name + ".lock")
    deadline = time.monotonic() + 600
    with ExitStack() as stack:
        while True:
            try:
                stack.enter_context(exclusive_lock(lock, f"{work} is in use by another run"))
                break
            except LockBusy:
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)
        yield


def _run_locked(work: Path) -> dict[str, bytes]:
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    saved = {key: os.environ.get(key) for key in _environment(work)}
    os.environ.update(_environment(work))
    try:
        with mock.patch("platform.platform", return_value=FIXED_PLATFORM):
            return _flow(work)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _flow(work: Path) -> dict[str, bytes]:
    case = str(work / "case")
    out = work / "out"
    out.mkdir()
    pictures = _picture_image(work)
    md5_list, pdq_list = _hash_lists(work)
    _custos(["case", "create", case, "--number", "G-1", "--title", "Golden case", "--agency", "Test Lab"])
    disk = work / "image.E01"  # in the run's folder: the evidence path is signed into the custody log
    shutil.copyfile(DATA / "sleuthkit" / "image.E01", disk)
    _custos(["evidence", "add", case, str(disk), "--item", "EXH-01", "--seal", "S1"])
    _custos(["evidence", "add", case, str(pictures), "--item", "EXH-02", "--description", "pictures"])
    _custos(["verify", case, "--item", "EXH-01"])
    _custos(["-q", "ingest", case, "--profile", "full", "--workers", "1"])
    _custos(
        ["hashset", "import", str(md5_list), "--name", "alert-md5", "--kind", "alert", "--format", "plain"]
    )
    _custos(["hashset", "import", str(pdq_list), "--name", "alert-pdq", "--kind", "alert", "--format", "pdq"])
    _custos(["match", case])
    outputs: dict[str, bytes] = {
        "files.jsonl": _custos(["files", case, "--jsonl"]).encode(),
        "findings.jsonl": _custos(["findings", case, "--jsonl"]).encode(),
    }
    _custos(["export", case, "--vics", str(out / "vics.json")])
    _custos(["export", case, "--case-uco", str(out / "case_uco.json")])
    _custos(["export", case, "--dfxml", str(out / "dfxml.xml")])
    _custos(["export", case, "--csv", str(out / "csv")])
    _custos(["export", case, "--kml", str(out / "geo.kml")])
    _custos(["export", case, "--geojson", str(out / "geo.geojson")])
    _custos(["report", case, "--html", str(out / "report.html"), "--pdf", str(out / "report.pdf")])
    outputs["custody.jsonl"] = _custos(["custody", "log", case, "--jsonl"]).encode()
    outputs["custody_verify.json"] = _custos(["custody", "verify", case, "--json"]).encode()
    for name in ("vics.json", "case_uco.json", "dfxml.xml", "geo.kml", "geo.geojson", "report.html"):
        outputs[name] = (out / name).read_bytes()
    for name in ("files.csv", "findings.csv"):
        outputs[name] = (out / "csv" / name).read_bytes()
    outputs["report.pdf.text"] = _pdf_text(out / "report.pdf")
    return {name: _portable(data, work) for name, data in outputs.items()}


def _pdf_text(path: Path) -> bytes:
    """The PDF's text (``pdftotext``): its bytes carry reportlab's object ids, its words are the report."""
    import subprocess

    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True).stdout


def _portable(data: bytes, work: Path) -> bytes:
    """The output with this run's temporary folder spelled ``<WORK>`` (the only thing that differs)."""
    text = data.decode("utf-8")
    for spelling in (str(work), json.dumps(str(work))[1:-1]):
        text = text.replace(spelling, "<WORK>")
    return text.encode("utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--update", action="store_true", help="rewrite the golden files")
    parser.add_argument(
        "--work", type=Path, help="work folder, emptied first (default: a fixed temporary one)"
    )
    args = parser.parse_args()
    outputs = run_flow(args.work or default_work())
    if args.update:
        for name, data in outputs.items():
            (GOLDEN / name).write_bytes(data)
        print(f"wrote {len(outputs)} golden files to {GOLDEN}")
        return 0
    different = [name for name, data in outputs.items() if (GOLDEN / name).read_bytes() != data]
    for name in different:
        import difflib

        old, new = (GOLDEN / name).read_bytes().decode(), outputs[name].decode()
        diff = difflib.unified_diff(old.splitlines(), new.splitlines(), name, name, lineterm="", n=0)
        print("\n".join(line[:400] for line in list(diff)[:40]))
    print("different: " + ", ".join(different) if different else "all outputs identical")
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main())
