"""Carving against PhotoRec on the same unallocated space, and the throughput of reading nested archives.

    .venv/bin/python bench/bench_carving.py --size smoke --json out.json     # CI: the fixture volume (64 MiB)
    .venv/bin/python bench/bench_carving.py --size standard --json out.json  # a 256 MiB FAT32 volume, wiped
    .venv/bin/python bench/bench_carving.py --json out.json                  # full: 512 MiB (``--smoke``:
                                                                             # the same as --size smoke)

Carving: a FAT32 volume is filled with real pictures, clips and documents (``scripts/fixtures/media.py``)
repeated under different names, every file is deleted and the allocation tables and directory are
wiped (``scripts/fixtures/wiped.py``): all of it is unallocated space. PhotoRec (Debian ``testdisk``,
JPEG, PNG and MOV/MP4 file families enabled, free space of the FAT volume) and Custos (its walk of the
volume, the unallocated runs, the carver at sector starts, every carved file read back and MD5-hashed)
run on it. Counted: valid JPEG/PNG/MP4-family files each recovered (instances and distinct MD5s), how
many of PhotoRec's MD5s Custos also has, wall and CPU seconds of each, and, for scale, the seconds of a
bare MD5+SHA-1+SHA-256 pass over the volume (what hashing the same bytes costs).

Share of the ``full`` profile: on the disk image of ``bench/build_bench_image.py`` (same size), ``custos
ingest --profile full`` runs as its own process (wall and CPU seconds, its workers included), then the
carving alone over every file system of the same image (the unallocated runs found from the walk and the
carver over them; the walk itself, which every profile does, timed apart): carving CPU as a share of the
whole job's CPU.

Nested: every file of the ``nested_archives`` fixture's ext4 image is opened as a stream and its nested
tree walked (archives, documents, disk images), every child hashed: items and expanded MiB per second.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from bench import results  # noqa: E402
from bench.bench_ingest import bench_environment, ingest_run, restore_environment  # noqa: E402
from bench.build_bench_image import build as build_bench_image  # noqa: E402
from forensics.evidence.carving.scanner import carve  # noqa: E402
from forensics.evidence.carving.unallocated import unallocated_runs  # noqa: E402
from forensics.evidence.locator import FileLocator  # noqa: E402
from forensics.evidence.nested.item_stream import open_item_stream  # noqa: E402
from forensics.evidence.nested.tree import NestedTree  # noqa: E402
from forensics.evidence.source import EvidenceSource  # noqa: E402
from forensics.evidence.survey import survey_image  # noqa: E402
from scripts.fixtures import wiped  # noqa: E402
from scripts.fixtures.cache import ensure_built  # noqa: E402

CACHE = REPO_ROOT / "tests" / ".cache" / "fixtures"
BENCH_CACHE = REPO_ROOT / "tests" / ".cache" / "bench"
PHOTOREC_FAMILIES = "fileopt,everything,disable,jpg,enable,png,enable,mov,enable,search"
FAMILY = {
    "jpg": "jpeg",
    "jpeg": "jpeg",
    "png": "png",
    "mp4": "mp4",
    "mov": "mp4",
    "3gp": "mp4",
    "heic": "mp4",
}
CUSTOS_FAMILY = {"jpeg": "jpeg", "png": "png", "mp4": "mp4", "mov": "mp4", "3gp": "mp4", "heic": "mp4"}
VOLUMES = {
    "standard": (128, 35),
    "full": (512, 150),
}  # MiB, copies of the media set (full: ~270 MiB of files)
NESTED_REPEATS = {"smoke": 1, "standard": 2, "full": 5}


def _cpu() -> float:
    self_usage, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return self_usage.ru_utime + self_usage.ru_stime + children.ru_utime + children.ru_stime


def build_volume(size: str) -> tuple[Path, dict]:
    """The wiped FAT32 volume to carve, and its facts (the smoke size is the test fixture's)."""
    if size == "smoke":
        folder = ensure_built("carving_wiped", CACHE)
        facts = json.loads((folder / "facts.json").read_text())["wiped"]["fat32_wiped.raw"]
        return folder / "fat32_wiped.raw", facts
    volume_mib, copies = VOLUMES[size]
    target = BENCH_CACHE / f"carving-{volume_mib}m-{copies}x" / "fat32_wiped.raw"
    facts_path = target.with_suffix(".json")
    if facts_path.is_file():
        return target, json.loads(facts_path.read_text())
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as work_name:
        work = Path(work_name)
        originals = wiped.media_set(work / "set")
        files = []
        for copy in range(copies):
            for original in originals:
                named = work / "copies" / f"c{copy:02d}_{original.name}"
                named.parent.mkdir(exist_ok=True)
                shutil.copyfile(original, named)
                files.append(named)
        facts = wiped.build_fat_wiped(target, files, size_mib=volume_mib)
    facts_path.write_text(json.dumps(facts))
    return target, facts


def run_photorec(image: Path, out: Path) -> dict:
    """PhotoRec on the volume's free space; MD5 and family of each file it wrote (thumbnails left out)."""
    cpu, started = _cpu(), time.perf_counter()
    subprocess.run(
        ["photorec", "/d", str(out / "recup"), "/cmd", str(image), f"partition_none,{PHOTOREC_FAMILIES}"],
        cwd=out,
        capture_output=True,
        check=True,
    )
    seconds, cpu_s = time.perf_counter() - started, _cpu() - cpu
    found = []
    for path in sorted(out.glob("recup*/f*")):
        family = FAMILY.get(path.suffix.lstrip(".").lower())
        if family:
            found.append((family, hashlib.md5(path.read_bytes()).hexdigest()))
    return {"seconds": round(seconds, 3), "cpu_s": round(cpu_s, 3), "files": found}


def run_custos(image: Path) -> dict:
    """Walk, unallocated runs, carve, and read back and MD5 every carved file."""
    cpu, started = _cpu(), time.perf_counter()
    probe = survey_image(image).usable_filesystems[0]
    found = []
    partial = 0
    with EvidenceSource(image) as source:
        entries = list(source.walker(probe.offset, probe.fs_type).walk())
        runs = unallocated_runs(
            probe.offset, probe.block_count * probe.block_size, [e.byte_runs for e in entries if e.allocated]
        )
        media = source.image.media
        for carved in carve(media.read_at, runs):
            if carved.status != "valid":
                partial += 1
                continue
            family = CUSTOS_FAMILY.get(carved.kind)
            md5 = hashlib.md5(media.read_at(carved.offset, carved.length)).hexdigest()
            if family:
                found.append((family, md5))
    seconds, cpu_s = time.perf_counter() - started, _cpu() - cpu
    scanned = sum(length for _start, length in runs)
    return {"seconds": round(seconds, 3), "cpu_s": round(cpu_s, 3), "files": found, "partial": partial,
            "scanned_bytes": scanned}  # fmt: skip


def _children_cpu() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return children.ru_utime + children.ru_stime


def carve_alone(image: Path) -> dict:
    """Every usable file system of ``image``: its walk (timed apart), then its unallocated runs carved."""
    survey = survey_image(image)
    walk_s = carve_s = carve_cpu = 0.0
    carved = scanned = 0
    with EvidenceSource(image) as source:
        media = source.image.media
        for probe in survey.usable_filesystems:
            started = time.perf_counter()
            entries = list(source.walker(probe.offset, probe.fs_type).walk())
            walk_s += time.perf_counter() - started
            cpu, started = _cpu(), time.perf_counter()
            runs = unallocated_runs(
                probe.offset,
                probe.block_count * probe.block_size,
                [e.byte_runs for e in entries if e.allocated],
            )
            carved += sum(1 for _ in carve(media.read_at, runs))
            carve_s += time.perf_counter() - started
            carve_cpu += _cpu() - cpu
            scanned += sum(length for _start, length in runs)
    return {"walk_s": round(walk_s, 3), "carve_s": round(carve_s, 3), "carve_cpu_s": round(carve_cpu, 3),
            "carved": carved, "scanned_mib": round(scanned / 2**20, 1),
            "filesystems": len(survey.usable_filesystems)}  # fmt: skip


def full_profile_share(size: str, workdir: Path) -> dict:
    """``custos ingest --profile full`` on the benchmark disk image, and the carving's share of it."""
    image = build_bench_image(size)
    previous = bench_environment(workdir)
    try:
        cpu = _children_cpu()
        job = ingest_run("raw", "full", image.raw, workdir, workers=os.cpu_count() or 2, sample_rss=False)
        job_cpu = _children_cpu() - cpu
    finally:
        restore_environment(previous)
    if job.detail["exit_code"] != 0:
        raise RuntimeError(f"custos ingest --profile full exited {job.detail['exit_code']}")
    alone = carve_alone(image.raw)
    return {
        "image_mib": round(image.raw.stat().st_size / 2**20),
        "full_s": round(job.seconds, 3),
        "full_cpu_s": round(job_cpu, 3),
        "items": job.items,
        **alone,
        "carve_share_cpu": round(alone["carve_cpu_s"] / job_cpu, 4) if job_cpu else None,
        "carve_share_wall": round(alone["carve_s"] / job.seconds, 4) if job.seconds else None,
    }


def bare_hash_seconds(image: Path) -> float:
    started = time.perf_counter()
    digests = (hashlib.md5(), hashlib.sha1(), hashlib.sha256())
    with image.open("rb") as stream:
        while chunk := stream.read(8 << 20):
            for digest in digests:
                digest.update(chunk)
    return round(time.perf_counter() - started, 3)


def compare(image: Path, facts: dict) -> dict:
    expected = Counter(
        FAMILY[f["extension"]] for f in facts["files"] if f["contiguous"] and f["extension"] in FAMILY
    )
    with tempfile.TemporaryDirectory() as out:
        photorec = run_photorec(image, Path(out))
    custos = run_custos(image)
    result: dict = {
        "image": image.name,
        "image_bytes": image.stat().st_size,
        "expected_contiguous": dict(expected),
    }
    for name, run in (("photorec", photorec), ("custos", custos)):
        result[name] = {
            "seconds": run["seconds"],
            "cpu_s": run["cpu_s"],
            "instances": dict(Counter(family for family, _md5 in run["files"])),
            "distinct_md5": dict(Counter(family for family, _md5 in set(run["files"]))),
        }
    result["custos"]["partial"] = custos["partial"]
    result["custos"]["scanned_mib_s"] = round(
        custos["scanned_bytes"] / (1 << 20) / max(custos["seconds"], 1e-9), 1
    )
    photorec_md5 = {md5 for _family, md5 in photorec["files"]}
    custos_md5 = {md5 for _family, md5 in custos["files"]}
    originals = {f["md5"] for f in facts["files"] if f["extension"] in FAMILY}
    result["photorec_md5_also_found_by_custos"] = f"{len(photorec_md5 & custos_md5)}/{len(photorec_md5)}"
    result["photorec_md5_that_are_original_files"] = f"{len(photorec_md5 & originals)}/{len(photorec_md5)}"
    result["custos_md5_that_are_original_files"] = f"{len(custos_md5 & originals)}/{len(custos_md5)}"
    result["bare_hash_seconds"] = bare_hash_seconds(image)
    result["custos_time_vs_photorec"] = round(custos["seconds"] / max(photorec["seconds"], 1e-9), 2)
    result["custos_time_vs_bare_hash"] = round(custos["seconds"] / max(result["bare_hash_seconds"], 1e-9), 2)
    return result


def nested_throughput(repeat: int) -> dict:
    """Items and expanded bytes per second over every file of the nested_archives image."""
    folder = ensure_built("nested_archives", CACHE)
    image = folder / "nested.raw"
    probe = survey_image(image).usable_filesystems[0]
    items = expanded = 0
    cpu, started = _cpu(), time.perf_counter()
    with EvidenceSource(image) as source:
        entries = [
            e for e in source.walker(probe.offset, probe.fs_type).walk() if e.kind == "file" and e.size
        ]
        for _ in range(repeat):
            for entry in entries:
                locator = FileLocator(
                    "B", probe.offset, entry.inode, entry.attr_type, entry.attr_id, None, entry.path
                )
                stream = open_item_stream(source, locator, entry.size)
                for item in NestedTree(stream, entry.name, embedded=entry.name.endswith(".bin")).items():
                    items += 1
                    expanded += item.child.size or 0 if item.md5 else 0
    seconds = time.perf_counter() - started
    return {
        "files": len(entries) * repeat,
        "nested_items": items,
        "expanded_mib": round(expanded / (1 << 20), 1),
        "seconds": round(seconds, 3),
        "cpu_s": round(_cpu() - cpu, 3),
        "items_per_s": round(items / max(seconds, 1e-9), 1),
        "expanded_mib_per_s": round(expanded / (1 << 20) / max(seconds, 1e-9), 1),
    }


def measure(size: str) -> dict:
    """Carving against PhotoRec and the nested throughput at ``size`` (the detailed result)."""
    image, facts = build_volume(size)
    with tempfile.TemporaryDirectory(prefix="custos-bench-carving-") as scratch:
        share = full_profile_share(size, Path(scratch))
    return {
        "size": size,
        "note": "wall times on a machine shared with other work: compare ratios within one run",
        "carving": compare(image, facts),
        "full_profile": share,
        "nested": nested_throughput(NESTED_REPEATS[size]),
    }


def page_result(bench_run: results.Run, measured: dict) -> dict:
    """PhotoRec, Custos and the bare hash pass in the page's shape, timed against PhotoRec."""
    carving, nested, share = measured["carving"], measured["nested"], measured["full_profile"]
    photorec_s, bare_s = carving["photorec"]["seconds"], carving["bare_hash_seconds"]
    rows = []
    for label, key in (
        ("PhotoRec (testdisk)", "photorec"),
        ("Custos: walk, unallocated runs, carve, MD5", "custos"),
    ):
        run = carving[key]
        found = [run["instances"].get(family, 0) for family in ("jpeg", "png", "mp4")]
        distinct = sum(run["distinct_md5"].values())
        timing = [run["seconds"], run["cpu_s"]]
        ratios = [results.ratio(run["seconds"], photorec_s), results.ratio(run["seconds"], bare_s)]
        rows.append([label, *timing, *found, distinct, *ratios])
    rows.append(["bare MD5+SHA-1+SHA-256 pass over the volume", bare_s, None, None, None, None, None,
                 results.ratio(bare_s, photorec_s), 1.0])  # fmt: skip
    expected = carving["expected_contiguous"]
    return bench_run.result(
        parameters={
            "volume_mib": round(carving["image_bytes"] / 2**20),
            "volume": "FAT32 of real pictures, clips and documents, every file deleted, tables wiped",
            "photorec_families": "jpg, png, mov",
            "expected_contiguous": {family: expected[family] for family in sorted(expected)},
        },
        baseline="PhotoRec on the same volume's free space (and, for scale, a bare hash pass over it)",
        columns=[
            "tool",
            "wall s",
            "CPU s",
            "JPEG",
            "PNG",
            "MP4 family",
            "distinct MD5s",
            "x PhotoRec time",
            "x bare hash time",
        ],  # fmt: skip
        rows=rows,
        notes=[
            f"PhotoRec's MD5s also found by Custos: {carving['photorec_md5_also_found_by_custos']}; "
            f"PhotoRec's that are original files: {carving['photorec_md5_that_are_original_files']}; "
            f"Custos's that are original files: {carving['custos_md5_that_are_original_files']}.",
            f"Custos scanned the unallocated space at {carving['custos']['scanned_mib_s']} MiB/s; "
            f"{carving['custos']['partial']} partial carves left out.",
            f"Share of the full profile (benchmark disk image, {share['image_mib']} MiB, "
            f"{share['filesystems']} file systems, {share['items']} items): custos ingest --profile full "
            f"took {share['full_s']} s wall, {share['full_cpu_s']} CPU s with its workers; carving alone "
            f"({share['scanned_mib']} MiB unallocated, {share['carved']} carved) {share['carve_s']} s, "
            f"{share['carve_cpu_s']} CPU s = {_percent(share['carve_share_cpu'])} of the job's CPU "
            f"(the walk every profile does, {share['walk_s']} s, apart).",
            f"Nested content (nested_archives fixture, {nested['files']} file reads): "
            f"{nested['nested_items']} items, {nested['expanded_mib']} MiB expanded in {nested['seconds']} s "
            f"({nested['items_per_s']} items/s, {nested['expanded_mib_per_s']} MiB/s); no baseline.",
        ],
    )


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--smoke", action="store_true", help="the same as --size smoke (CI)")
    results.add_arguments(parser, default_size="full")
    arguments = parser.parse_args(argv)
    if shutil.which("photorec") is None:
        print("photorec is missing: apt-get install testdisk (scripts/setup.sh does this)", file=sys.stderr)
        return 2
    size = "smoke" if arguments.smoke else arguments.size
    bench_run = results.Run("carving", "Carving against PhotoRec, and nested content", size)
    measured = measure(size)
    print(json.dumps(measured, indent=2, sort_keys=True))
    if arguments.json:
        results.write(arguments.json, page_result(bench_run, measured))
    return 0


if __name__ == "__main__":
    sys.exit(main())
