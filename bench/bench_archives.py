"""Triage on an image full of archives, against the same files loose (issue 22's throughput benchmark).

Two ext4 images hold the same generated files (photo-like JPEGs with camera EXIF, text and binary files,
made as ``bench/build_bench_image.py`` makes them):

* ``loose``: every file in a folder of its own group;
* ``archived``: every group packed by Debian's tools into a zip (``zip``), a tar.gz (``tar``) or a 7z
  (``7z``) in turn, and every fifth tar.gz put inside a zip as well (an archive within an archive).

Both go through ``custos ingest --profile triage`` (its own process, as an examiner runs it). The loose
image is the baseline: the archived image's time over the loose one's is what opening the archives costs;
items per second and content megabytes per second are the triage throughput. The run also checks that
every file put into an archive is listed, with its MD5, as a nested item of the archived image.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from bench import results  # noqa: E402
from bench.bench_ingest import (  # noqa: E402
    EXAMINER,
    PASSPHRASE,
    Timed,
    children_cpu_seconds,
    custos_inprocess,
    ingest_run,
)
from bench.build_bench_image import PlannedFile, file_bytes  # noqa: E402
from scripts.fixtures.content import Entry, file  # noqa: E402
from scripts.fixtures.ext4 import build_ext4  # noqa: E402
from scripts.fixtures.tools import require, run  # noqa: E402

KINDS = ("zip", "tar.gz", "7z")
NESTED_EVERY = 5  # every fifth tar.gz also goes inside a zip
TIME = 1_704_067_200  # 2024-01-01 00:00:00 UTC: the files' modification time


@dataclass(frozen=True)
class ArchiveSpec:
    """How many archives the image holds and what goes into each."""

    archives: int
    files_per_archive: int
    photo_share: float
    photo_size: tuple[int, int]
    small_max_kib: int


SPECS = {
    "smoke": ArchiveSpec(
        archives=6, files_per_archive=8, photo_share=0.25, photo_size=(640, 480), small_max_kib=16
    ),
    "standard": ArchiveSpec(
        archives=60, files_per_archive=20, photo_share=0.3, photo_size=(1600, 1200), small_max_kib=64
    ),
    "full": ArchiveSpec(
        archives=400, files_per_archive=40, photo_share=0.3, photo_size=(1600, 1200), small_max_kib=64
    ),
}


def plan(spec: ArchiveSpec, seed: int = 22) -> list[list[PlannedFile]]:
    """The files of each group (one group per archive), deterministic from ``seed``."""
    rng = random.Random(seed)
    groups = []
    for number in range(spec.archives):
        group = []
        for index in range(spec.files_per_archive):
            item_seed = rng.randrange(1 << 30)
            if rng.random() < spec.photo_share:
                width, height = spec.photo_size
                name = f"IMG_{number:04d}_{index:03d}.jpg"
                group.append(PlannedFile("ext4", name, "photo", 0, item_seed, width=width, height=height))
            else:
                text = rng.random() < 0.5
                name = f"doc_{number:04d}_{index:03d}.{'txt' if text else 'bin'}"
                size = rng.randint(1024, spec.small_max_kib * 1024)
                group.append(PlannedFile("ext4", name, "text" if text else "small", size, item_seed))
        groups.append(group)
    return groups


def _pack(kind: str, folder: Path, target: Path) -> None:
    """Pack every file of ``folder`` into ``target`` with the Debian tool of ``kind``."""
    names = sorted(p.name for p in folder.iterdir())
    if kind == "zip":
        run(["zip", "-q", "-X", "-D", str(target), *names], cwd=folder)
    elif kind == "tar.gz":
        run(
            ["tar", "--sort=name", f"--mtime=@{TIME}", "--owner=0", "--group=0", "-czf", str(target), *names],
            cwd=folder,
        )
    else:
        run(["7z", "a", "-bd", "-bso0", "-mtm=off", str(target), *names], cwd=folder)


def build_images(spec: ArchiveSpec, work: Path) -> dict[str, object]:
    """The loose and archived images in ``work``; returns their paths and the members' MD5s."""
    for tool in ("zip", "tar", "7z", "mke2fs", "debugfs"):
        require(tool)
    loose: list[Entry] = []
    archived: list[Entry] = []
    members: dict[str, int] = {}  # md5 -> how many copies went into archives
    content_bytes = 0
    for number, group in enumerate(plan(spec)):
        folder = work / f"group-{number:04d}"
        folder.mkdir()
        for item in group:
            data = file_bytes(item)
            (folder / item.path).write_bytes(data)
            os.utime(folder / item.path, (TIME, TIME))
            loose.append(file(f"/groups/{number:04d}/{item.path}", data, mtime=TIME))
            digest = hashlib.md5(data).hexdigest()
            members[digest] = members.get(digest, 0) + 1
            content_bytes += len(data)
        kind = KINDS[number % len(KINDS)]
        packed = work / f"group-{number:04d}.{kind}"
        _pack(kind, folder, packed)
        if kind == "tar.gz" and number % (NESTED_EVERY * len(KINDS)) == 1:
            outer_folder = work / f"outer-{number:04d}"
            outer_folder.mkdir()
            shutil.move(packed, outer_folder / packed.name)
            packed = work / f"group-{number:04d}.zip"
            _pack("zip", outer_folder, packed)
        archived.append(file(f"/archives/{packed.name}", packed.read_bytes(), mtime=TIME))
    images = {}
    for name, entries in (("loose", loose), ("archived", archived)):
        stored = sum(len(e.data) for e in entries)
        image = work / f"{name}.raw"
        build_ext4(
            image,
            entries,
            size_mib=max(16, int(stored * 1.4 / (1 << 20)) + 16),
            label=name,
            uuid="22222222-0000-4000-8000-00000000" + ("0001" if name == "loose" else "0002"),
            created_at=TIME,
            deleted_at=TIME,
            block_size=4096,
        )
        images[name] = image
    return {"images": images, "members": members, "content_bytes": content_bytes}


def _row(name: str, timed: Timed, content_bytes: int, baseline: Timed | None) -> list:
    listed = timed.detail["listed"]
    mib = content_bytes / (1 << 20)
    return [
        name,
        round(timed.seconds, 2),
        timed.detail.get("cpu_seconds"),
        listed,
        timed.detail.get("nested"),
        timed.detail["errors"],
        round(listed / timed.seconds, 1) if timed.seconds else None,
        round(mib / timed.seconds, 2) if timed.seconds else None,
        results.ratio(timed.seconds, baseline.seconds if baseline else timed.seconds),
    ]


def measure(size: str, work: Path, workers: int) -> dict:
    """Build both images, ingest each with ``triage``, check the archived members; the raw numbers."""
    spec = SPECS[size]
    built = build_images(spec, work / "build")
    os.environ.update(
        {
            "CUSTOS_HOME": str(work / "home"),
            "CUSTOS_PASSPHRASE": PASSPHRASE,
            "CUSTOS_EXAMINER": EXAMINER,
            "CUSTOS_HASHSET_LIBRARY": str(work / "hashsets.db"),
        }
    )
    custos_inprocess("examiner", "create", EXAMINER, "--agency", "Bench", "--badge", "B-22")
    timed: dict[str, Timed] = {}
    found: dict[str, int] = {}
    for name, image in built["images"].items():
        before = children_cpu_seconds()
        run_ = ingest_run(name, "triage", image, work, workers)
        run_.detail["cpu_seconds"] = round(children_cpu_seconds() - before, 2)
        records = run_.detail.pop("records")
        nested = [r for r in records if r.get("parent_id") is not None]
        run_.detail["nested"] = len(nested)
        if name == "archived":
            for record in records:
                if record.get("md5") in built["members"]:
                    found[record["md5"]] = found.get(record["md5"], 0) + 1
        timed[name] = run_
    members = built["members"]
    return {
        "size": size,
        "workers": workers,
        "spec": spec.__dict__,
        "content_bytes": built["content_bytes"],
        "members": sum(members.values()),
        "members_found": sum(min(found.get(md5, 0), count) for md5, count in members.items()),
        "runs": {name: {"seconds": t.seconds, **t.detail} for name, t in timed.items()},
        "_timed": timed,
    }


def page_result(bench_run: results.Run, measured: dict) -> dict:
    """The result of the benchmark page (bench/results.py shape)."""
    timed = measured["_timed"]
    loose = timed["loose"]
    rows = [
        _row("loose: the files in folders", loose, measured["content_bytes"], loose),
        _row(
            "archived: the same files in zip, tar.gz and 7z",
            timed["archived"],
            measured["content_bytes"],
            loose,
        ),
    ]
    spec = measured["spec"]
    return bench_run.result(
        parameters={
            "archives": spec["archives"],
            "files_per_archive": spec["files_per_archive"],
            "photo_share": spec["photo_share"],
            "photo_size": "x".join(map(str, spec["photo_size"])),
            "profile": "triage",
            "workers": measured["workers"],
            "content_mib": round(measured["content_bytes"] / (1 << 20), 1),
        },
        baseline="the same files loose in folders, same profile, same run",
        columns=[
            "image",
            "wall s",
            "CPU s",
            "items listed",
            "nested items",
            "errors",
            "items/s",
            "content MiB/s",
            "x loose time",
        ],
        rows=rows,
        notes=[
            f"archived members listed with their MD5: {measured['members_found']}/{measured['members']}",
            "kinds in turn: zip, tar.gz, 7z; every fifth tar.gz inside a zip as well",
        ],
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    results.add_arguments(parser)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--workdir", type=Path, help="scratch folder (default: a temporary one, removed)")
    arguments = parser.parse_args(argv)
    bench_run = results.Run(
        "archives", "Triage on an image full of archives, against the same files loose", arguments.size
    )
    with tempfile.TemporaryDirectory(prefix="custos-bench-archives-") as scratch:
        work = arguments.workdir or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        (work / "build").mkdir(exist_ok=True)
        measured = measure(arguments.size, work, arguments.workers)
    printable = {k: v for k, v in measured.items() if not k.startswith("_")}
    print(json.dumps(printable, indent=2, sort_keys=True))
    if arguments.json:
        results.write(arguments.json, page_result(bench_run, measured))
    if printable["members_found"] != printable["members"]:
        print(
            f"custos: archived members listed: {printable['members_found']} of {printable['members']}",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
