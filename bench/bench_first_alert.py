"""Answer first (issue 26): how soon the first known-material alert comes, against the whole ``triage`` job.

    .venv/bin/python bench/bench_first_alert.py --size smoke      # CI (seconds, no timing targets)
    .venv/bin/python bench/bench_first_alert.py --size standard --json bench/results/first_alert.json
    .venv/bin/python bench/bench_first_alert.py --size full       # the issue's targets (1,000,000 entries)

On the image of ``bench/build_bench_image.py``, a hash-set library lists a handful of the image's photos
among many other entries (``FILLER`` random MD5s): some by their MD5 (exact copies), some by the PDQ of a
re-encoded copy (so that only PDQ finds them). ``custos ingest --profile triage --progress-jsonl`` runs
as its own process; the alert records it writes (``{"alert": 1, ...}``) are timed as they arrive. Reported:
time to the first alert and to the last, as a share of the whole job; the same image's ``hashes`` job for
the triage/hashes ratio. Prints a Markdown table and writes ``bench_first_alert.json`` in ``--out``
(``bench-out/``, not kept in git); ``--json PATH``
writes the result of the benchmark page (bench/results.py shape).

``--medium extraction`` (``bench/bench_first_alert_extraction.py``, result ``first_alert_extraction``):
the same files as an Android full-file-system extraction (``bench/phone_extraction.py``: a zip with a
``Dump/`` root, the photos in the phone's media folders and last in the zip's member order).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from operator import itemgetter
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from bench import phone_extraction, results  # noqa: E402
from bench.bench_ingest import EXAMINER, PASSPHRASE, custos_command, custos_inprocess, warm  # noqa: E402
from bench.build_bench_image import DEFAULT_CACHE, BenchImage, build  # noqa: E402

FILLER = {"smoke": 1_000, "standard": 100_000, "full": 1_000_000}  # other entries of the exact list
LISTED_EXACT = {"smoke": 2, "standard": 4, "full": 4}  # photos listed by MD5
LISTED_PDQ = {"smoke": 1, "standard": 2, "full": 2}  # photos listed by the PDQ of a re-encoded copy
TARGETS = {"first_alert_share": 0.05, "all_alerts_share": 0.30, "triage_over_hashes": 2.5}
DECODE_SAMPLE = {"smoke": 10, "standard": 60, "full": 200}  # photos decoded for the floor of triage
MEDIUMS = ("image", "extraction")
NAMES = {"image": "first_alert", "extraction": "first_alert_extraction"}  # result names (bench/results)
TITLES = {
    "image": "Answer first: time to the first known-material alert",
    "extraction": "Answer first on a phone extraction: time to the first known-material alert",
}
EXTRACTION = "Android full-file-system extraction: zip with a Dump/ root, photos stored, the rest deflated"


def _photos(image: BenchImage) -> list[dict]:
    """Allocated photos of the image's user media folders, in a stable order."""
    return sorted(
        (
            f
            for f in image.files
            if f["path"].endswith(".jpg")
            and not f.get("deleted")
            and f["path"].startswith(("/DCIM", "/Pictures"))
        ),
        key=lambda f: (f["fs"], f["path"]),
    )


def _photo_bytes(size: str, fact: dict) -> bytes:
    """A listed photo made again by the builder's plan: the same colour field and EXIF, other grain (the
    builder's noise is drawn once per process), so other bytes but nearly the same picture."""
    from bench.build_bench_image import SPECS, photo_bytes, plan

    planned = next(p for p in plan(SPECS[size]) if p.path == fact["path"] and p.fs == fact["fs"])
    return photo_bytes(planned)


def lists(
    photos: list[dict], size: str, folder: Path, remake: Callable[[dict], bytes]
) -> tuple[Path, Path, list[str]]:
    """The exact list (listed MD5s among filler) and the PDQ list of the re-encoded ``remake`` of a few
    of ``photos``; returns them and the facts of the listed photos."""
    from scripts.fixtures.first_alert import _pdq, reencoded

    rng = random.Random(26)
    picked = rng.sample(photos, LISTED_EXACT[size] + LISTED_PDQ[size])
    exact, by_pdq = picked[: LISTED_EXACT[size]], picked[LISTED_EXACT[size] :]
    md5s = [f["md5"] for f in exact]
    md5s += [f"{rng.getrandbits(128):032x}" for _ in range(FILLER[size])]
    rng.shuffle(md5s)
    plain = folder / "listed-md5.txt"
    plain.write_text("".join(f"{value}\n" for value in md5s), encoding="ascii")
    from pdqhash import compute

    pdq_lines = []
    for fact in by_pdq:
        data = remake(fact)  # re-encoded: only its PDQ is near the evidence's copy
        code, quality = _pdq(compute, reencoded(data))
        pdq_lines.append(f"{code},{quality},bench {fact['path']}")
    pdq = folder / "listed.pdq"
    pdq.write_text("".join(line + "\n" for line in pdq_lines), encoding="ascii")
    return plain, pdq, picked


def _read(stream, started: float, alerts: list[dict], progress: dict) -> None:
    for raw in stream:
        line = raw.decode("utf-8", "replace").strip()
        now = round(time.perf_counter() - started, 3)
        if line.startswith('{"alert"'):
            record = json.loads(line)
            alerts.append(
                {
                    "seconds": now,
                    "path": record["path"],
                    "set": record["set_name"],
                    "items_done": progress.get("items_done"),  # as last reported (progress is throttled)
                }
            )
        elif line.startswith('{"progress"'):
            record = json.loads(line)
            progress.setdefault("first_s", now)
            progress["items_total"] = record["items_total"]
            progress["items_done"] = record["items_done"]
            # Where the time goes: each change of phase or of the rank being handed out, with the counts.
            step = (record.get("phase"), record.get("stage"))
            timeline = progress.setdefault("timeline", [])
            if not timeline or (timeline[-1]["phase"], timeline[-1]["stage"]) != step:
                timeline.append(
                    {
                        "seconds": now,
                        "phase": step[0],
                        "stage": step[1],
                        "items_total": record["items_total"],
                        "items_done": record["items_done"],
                    }
                )


def ingest(case_dir: Path, evidence: Path, profile: str, workers: int) -> dict:
    """A new case with ``evidence``, then ``custos ingest`` as its own process; alert times noted."""
    shutil.rmtree(case_dir, ignore_errors=True)
    custos_inprocess("case", "create", case_dir, "--number", f"FIRST/{profile}", "--title", "bench")
    custos_inprocess("evidence", "add", case_dir, evidence, "--item", "BENCH", "-q")
    command = [*custos_command(), "ingest", case_dir, "--workers", str(workers), "--profile", profile]
    command += ["--progress-jsonl", "-q"]
    alerts: list[dict] = []
    progress: dict = {}
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=REPO_ROOT)
    reader = threading.Thread(target=_read, args=(process.stderr, started, alerts, progress), daemon=True)
    reader.start()
    code = process.wait()
    seconds = time.perf_counter() - started
    reader.join(5)
    if code != 0:
        raise RuntimeError(f"custos ingest --profile {profile} exited {code}")
    return {
        "profile": profile,
        "seconds": round(seconds, 3),
        "alerts": alerts,
        "items": progress.get("items_total"),
        "timeline": progress.get("timeline", []),
    }


def picture_costs(evidence: Medium, sample: int) -> dict:
    """CPU ms per picture of the triage profile's decode alone and of its whole picture analysis, on an
    evenly spaced sample of the evidence's photos (in this process, one core)."""
    from forensics.analysis.api import HEAD_SIZE, AnalysisOptions, analyze
    from forensics.analysis.decode import decode_image
    from forensics.pipeline.processing_profiles import load_profile

    profile = load_profile("triage")
    options = AnalysisOptions(
        tasks=profile.analysis_tasks, reduced_decode=profile.reduced_decode, video=profile.video
    )
    step = max(1, len(evidence.photos) // sample)
    photos = [evidence.remake(fact) for fact in evidence.photos[::step][:sample]]
    started = time.process_time()
    for data in photos:
        decoded, _info, _problems = decode_image(data, options)
        if decoded is not None:
            decoded.image.close()
    decode = time.process_time() - started
    started = time.process_time()
    for data in photos:
        analyze("photo.jpg", len(data), data[:HEAD_SIZE], data, options)
    whole = time.process_time() - started
    count = max(1, len(photos))
    return {
        "photos": len(photos),
        "decode_ms": round(decode * 1000 / count, 2),
        "analysis_ms": round(whole * 1000 / count, 2),
    }


@dataclass(frozen=True)
class Medium:
    """The evidence a run ingests: its file, its photos (facts), how a photo's bytes are made again, the
    path the case shows for a photo, and facts for the result."""

    source: Path
    photos: list[dict]
    remake: Callable[[dict], bytes]
    shown: Callable[[dict], str]
    facts: dict


def medium_of(name: str, size: str, cache: Path) -> Medium:
    """The disk image (``image``) or the phone extraction (``extraction``) of ``size``."""
    if name == "image":
        image = build(size, cache)
        return Medium(image.raw, _photos(image), partial(_photo_bytes, size), itemgetter("path"), {})
    extraction = phone_extraction.build(size, cache)
    photos = extraction.photos
    facts = {
        "members": len(extraction.members),
        "photos": len(photos),
        "first_photo_member": extraction.members.index(photos[0]),
    }
    # the case shows a member under its device path; the zip's own path is kept in its link
    return Medium(extraction.archive, photos, extraction.member_bytes, itemgetter("device_path"), facts)


def run(size: str, cache: Path, workdir: Path, out: Path, workers: int, medium: str = "image") -> dict:
    evidence = medium_of(medium, size, cache)
    source = evidence.source
    workdir.mkdir(parents=True, exist_ok=True)
    os.environ.update(
        {
            "CUSTOS_HOME": str(workdir / "home"),
            "CUSTOS_PASSPHRASE": PASSPHRASE,
            "CUSTOS_EXAMINER": EXAMINER,
            "CUSTOS_HASHSET_LIBRARY": str(workdir / "hashsets.db"),
        }
    )
    if not (workdir / "home" / "examiners").exists():
        custos_inprocess("examiner", "create", EXAMINER, "--agency", "Bench", "--badge", "B-26")
    library = workdir / "hashsets.db"
    for stale in workdir.glob("hashsets.db*"):
        stale.unlink()
    plain, pdq, picked = lists(evidence.photos, size, workdir, evidence.remake)
    listed = [evidence.shown(fact) for fact in picked]
    imported_at = time.perf_counter()
    custos_inprocess(
        "hashset", "import", plain, "--name", "bench-md5", "--kind", "alert", "--format", "plain"
    )
    custos_inprocess("hashset", "import", pdq, "--name", "bench-pdq", "--kind", "alert", "--format", "pdq")
    import_seconds = time.perf_counter() - imported_at
    warm([source])
    triage = ingest(workdir / "case-triage", source, "triage", workers)
    warm([source])
    hashes = ingest(workdir / "case-hashes", source, "hashes", workers)
    per_photo = picture_costs(evidence, DECODE_SAMPLE[size])
    decode_seconds = per_photo["decode_ms"] * len(evidence.photos) / 1000 / workers
    alerts = triage["alerts"]
    whole = triage["seconds"]
    first = alerts[0]["seconds"] if alerts else None
    last = alerts[-1]["seconds"] if alerts else None
    found = sorted({a["path"] for a in alerts})
    result = {
        "size": size,
        "medium": medium,
        "evidence": {"file": source.name, **evidence.facts},
        "photo_count": len(evidence.photos),
        "workers": workers,
        "library": {
            "entries": FILLER[size] + LISTED_EXACT[size] + LISTED_PDQ[size],
            "listed": listed,
            "listed_files": [fact["path"] for fact in picked],  # their own paths (file system, zip)
        },
        "library_import_seconds": round(import_seconds, 2),
        "library_bytes": library.stat().st_size if library.exists() else None,
        "triage": triage,
        "hashes": hashes,
        "picture_costs": per_photo,
        # What no triage job can go under: the hashes job plus the triage-scale decode of every picture
        # on the same workers (the decode alone, none of the work done with the pixels).
        "floor_seconds": round(hashes["seconds"] + decode_seconds, 3),
        "found": found,
        "all_listed_found": all(any(path in f for f in found) for path in listed),
        "ratios": {
            "first_alert_share": round(first / whole, 4) if first is not None else None,
            "all_alerts_share": round(last / whole, 4) if last is not None else None,
            "triage_over_hashes": round(whole / hashes["seconds"], 3) if hashes["seconds"] else None,
            "floor_over_hashes": round(1 + decode_seconds / hashes["seconds"], 3)
            if hashes["seconds"]
            else None,
        },
        "targets": TARGETS,
        "load_average_1min": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / f"bench_{NAMES[medium]}.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return result


def markdown(result: dict) -> str:
    """The result as the table of BENCHMARKS.md."""
    triage, hashes, ratios = result["triage"], result["hashes"], result["ratios"]
    alerts = triage["alerts"]
    first = f"{alerts[0]['seconds']:.1f} s" if alerts else "none"
    last = f"{alerts[-1]['seconds']:.1f} s" if alerts else "none"
    out = io.StringIO()
    out.write(
        f"Size `{result['size']}`, {result['workers']} workers, library of {result['library']['entries']:,} "
    )
    out.write(f"entries ({len(result['library']['listed'])} of the {result['medium']}'s photos listed).\n\n")
    out.write("| measure | value | target |\n|---|---|---|\n")
    out.write(f"| whole `triage` job | {triage['seconds']:.1f} s ({triage['items']} items) | |\n")
    out.write(f"| first alert | {first} ({ratios['first_alert_share']}) of the job | <= 5 % |\n")
    out.write(f"| all alerts | {last} ({ratios['all_alerts_share']}) of the job | <= 30 % |\n")
    out.write(f"| `hashes` job | {hashes['seconds']:.1f} s | |\n")
    out.write(f"| triage / hashes | {ratios['triage_over_hashes']} | <= 2.5 |\n")
    out.write(f"| every listed photo alerted | {result['all_listed_found']} | yes |\n")
    return out.getvalue()


def page_result(bench_run: results.Run, result: dict, extra_notes: list[str] | None = None) -> dict:
    """The result of the benchmark page (bench/results.py shape), ``extra_notes`` at the end."""
    triage, hashes = result["triage"], result["hashes"]
    whole = triage["seconds"]
    alerts = triage["alerts"]
    first = alerts[0]["seconds"] if alerts else None
    last = alerts[-1]["seconds"] if alerts else None
    rows = [
        ["whole triage job (process start to exit)", whole, 1.0],
        ["first alert", first, results.ratio(first, whole, 3)],
        ["all alerts", last, results.ratio(last, whole, 3)],
        ["whole hashes job", hashes["seconds"], results.ratio(hashes["seconds"], whole, 3)],
    ]
    floor = result.get("floor_seconds")
    if floor is not None:
        rows.append(
            [
                "floor: hashes job + triage-scale decode of every picture",
                floor,
                results.ratio(floor, whole, 3),
            ]
        )
    parameters = {
        "items": triage["items"],
        "workers": result["workers"],
        "library entries": result["library"]["entries"],
        "photos listed by MD5": LISTED_EXACT[result["size"]],
        "photos listed by PDQ of a re-encoded copy": LISTED_PDQ[result["size"]],
    }
    costs = result.get("picture_costs")
    notes = [
        f"triage / hashes: {result['ratios']['triage_over_hashes']} (target <= 2.5)",
        *(
            [
                f"per picture, one core ({costs['photos']} photos sampled evenly): the triage-scale decode "
                f"{costs['decode_ms']} ms, the whole picture analysis {costs['analysis_ms']} ms; the floor "
                f"(hashes job + that decode of all {result['photo_count']}"
                f" pictures on {result['workers']} workers) is {result['ratios']['floor_over_hashes']}x the "
                "hashes job: no triage job that decodes every picture can go under it"
            ]
            if costs
            else []
        ),
        "targets (issue 26, on a phone-sized image): first alert <= 5 % of the job, all alerts on "
        "pictures in user media folders <= 30 %",
        f"every listed photo alerted: {'yes' if result['all_listed_found'] else 'NO'}",
        "the fixed start of a custos process (interpreter, imports, examiner key, case) is in every "
        "job: on a small image it is most of the job, so the share of the first alert says little",
    ]
    timeline = triage.get("timeline") or []
    if timeline:
        listed = next((step["seconds"] for step in timeline if step["phase"] == "processing"), None)
        notes.append(
            f"first progress line at {timeline[0]['seconds']} s (the process's start); the walk had listed "
            f"everything at {listed} s (first progress line after it); phases and ranks: "
            + "; ".join(f"{step['seconds']} s {step['phase']} / {step['stage'] or '-'}" for step in timeline)
        )
    if result["medium"] == "extraction":
        facts = result["evidence"]
        parameters = {
            "evidence": EXTRACTION,
            "members": facts["members"],
            "photos": facts["photos"],
            "first photo at member": facts["first_photo_member"] + 1,
            **parameters,
        }
        notes += extraction_notes(result)
    return bench_run.result(
        parameters=parameters,
        baseline="the whole triage job of the same run",
        columns=["measure", "seconds", "x triage job"],
        rows=rows,
        notes=notes + list(extra_notes or []),
    )


def extraction_notes(result: dict) -> list[str]:
    """What the extraction's numbers mean."""
    alerts, items = result["triage"]["alerts"], result["triage"]["items"]
    done = [alert.get("items_done") for alert in alerts[:1] + alerts[-1:]]
    return [
        f"items done (as last reported by the progress records) at the first alert: {done[0]}, at the "
        f"last: {done[-1]}, of {items}"
        if alerts
        else "no alert",
        "the files of the disk image's plan (bench/phone_extraction.py) where a phone keeps them: photos "
        "in DCIM/Camera, the WhatsApp media folder and Pictures/Screenshots, app files under "
        "data/data/<package> and system/, the photos last in the zip's member order; a zip is read "
        "member by member, so the triage profile's ranks apply (a gzip tar or a compressed adb backup "
        "would be read in listing order)",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    results.add_arguments(parser, default_size="smoke")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--workdir", type=Path, help="default: /tmp/custos-bench-<result name>")
    parser.add_argument("--out", type=Path, default=Path("bench-out"))
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument(
        "--medium",
        choices=MEDIUMS,
        default="image",
        help="the disk image, or the same files as a phone extraction (result name first_alert_extraction)",
    )
    parser.add_argument("--note", action="append", default=[], help="a note for the result (repeatable)")
    args = parser.parse_args(argv)
    name = NAMES[args.medium]
    bench_run = results.Run(name, TITLES[args.medium], args.size)
    workdir = args.workdir or Path(tempfile.gettempdir()) / f"custos-bench-{name.replace('_', '-')}"
    result = run(args.size, args.cache, workdir, args.out, args.workers, args.medium)
    print(markdown(result))
    if args.json:
        results.write(args.json, page_result(bench_run, result, args.note))
    return 0 if result["all_listed_found"] else 1


if __name__ == "__main__":
    sys.exit(main())
