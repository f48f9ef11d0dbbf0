"""Benchmark: full vs JPEG draft-mode (DCT-scaled) decode for perceptual hashes and thumbnails.

For every JPEG found under the given folders it runs the pixel tasks of ``analyze`` (decode once,
pHash, dHash, PDQ with dihedral variants, thumbnail) with a full decode and with draft decodes that
keep at least N pixels on the short side, in one process (numbers are per core). It prints images/s
per size group and, per draft setting, how many bits each hash moved from the full decode.

    .venv/bin/python bench/bench_image_decode.py [--images DIR ...] [--repeat N] [--size S] [--json PATH]

Sizes: smoke, 6 JPEGs of tests/data once (``--smoke`` is the same); standard, every JPEG of tests/data, 3
rounds; full, the real photos of the shared corpus (exif-py, ThreatExchange, pdqhash-python), 5 rounds.
``--images`` and ``--repeat`` override the size's.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, features

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import results  # noqa: E402
from bench.shared_corpus import corpus_root  # noqa: E402
from forensics.analysis.api import HEAD_SIZE, AnalysisOptions, analyze  # noqa: E402

PIXEL_TASKS = frozenset({"perceptual", "thumbnail"})
LARGE_PIXELS = 2_000_000
SMALL_PIXELS = 1_000_000
CORPUS = corpus_root() or ROOT / "missing-corpus"
FULL_FOLDERS = ("exif-py", "ThreatExchange", "pdqhash-python")
REPEATS = {"smoke": 1, "standard": 3, "full": 5}
COLUMNS = [
    "group", "images", "mean MP", "setting", "images/s per core", "x full decode speed",
    "pHash bits moved (mean / max)", "dHash (mean / max)", "PDQ (mean / max)", "mean decode scale",
]  # fmt: skip


@dataclass
class Photo:
    path: Path
    data: bytes
    pixels: int


def find_photos(folders: list[Path]) -> list[Photo]:
    photos = []
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if not path.is_file() or path.suffix.lower() not in {".jpg", ".jpeg"}:
                continue
            data = path.read_bytes()
            try:
                with Image.open(path) as image:
                    pixels = image.size[0] * image.size[1]
            except Exception:
                continue
            if data[:3] == b"\xff\xd8\xff":
                photos.append(Photo(path, data, pixels))
    return photos


def run(photo: Photo, options: AnalysisOptions):
    return analyze(photo.path.name, len(photo.data), photo.data[:HEAD_SIZE], photo.data, options)


def hamming(a: str | None, b: str | None) -> int | None:
    if a is None or b is None:
        return None
    return (int(a, 16) ^ int(b, 16)).bit_count()


def time_per_image(photos: list[Photo], options: AnalysisOptions, repeat: int) -> float:
    """Median over repeats of the mean seconds per image."""
    rounds = []
    for _ in range(repeat):
        started = time.perf_counter()
        for photo in photos:
            run(photo, options)
        rounds.append((time.perf_counter() - started) / len(photos))
    return statistics.median(rounds)


def describe_machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    turbo = features.version_feature("libjpeg_turbo") if features.check_feature("libjpeg_turbo") else "no"
    return (
        f"{cpu}, {os.cpu_count()} logical CPUs; Python {platform.python_version()}, "
        f"Pillow {Image.__version__} (libjpeg-turbo {turbo}); 1 process"
    )


def default_images(size: str) -> list[Path]:
    """The folders of a size: the shared corpus's photos for full (when present), else tests/data."""
    corpus = [CORPUS / name for name in FULL_FOLDERS if (CORPUS / name).is_dir()]
    return corpus if size == "full" and corpus else [ROOT / "tests" / "data"]


def measure(photos: list[Photo], draft_sides: list[int], repeat: int) -> list[list]:
    """One row per group and setting (the page's columns)."""
    groups = {
        f"large (>= {LARGE_PIXELS / 1e6:.0f} MP)": [p for p in photos if p.pixels >= LARGE_PIXELS],
        f"small (< {SMALL_PIXELS / 1e6:.0f} MP)": [p for p in photos if p.pixels < SMALL_PIXELS],
    }
    settings = [("full decode", AnalysisOptions(tasks=PIXEL_TASKS))] + [
        (f"draft, short side >= {side}", AnalysisOptions(PIXEL_TASKS, True, draft_min_side=side))
        for side in draft_sides
    ]
    rows = []
    for group, members in groups.items():
        if not members:
            continue
        mean_mp = statistics.mean(p.pixels for p in members) / 1e6
        full_results = [run(p, settings[0][1]) for p in members]
        baseline = time_per_image(members, settings[0][1], repeat)
        for label, options in settings:
            seconds = baseline if options is settings[0][1] else time_per_image(members, options, repeat)
            outcome = full_results if options is settings[0][1] else [run(p, options) for p in members]
            moved = {name: [] for name in ("phash", "dhash", "pdq")}
            for full, other in zip(full_results, outcome, strict=True):
                if full.perceptual and other.perceptual:
                    for name, distances in moved.items():
                        before, after = getattr(full.perceptual, name), getattr(other.perceptual, name)
                        distances.append(hamming(before, after))
            cells = [f"{statistics.mean(v):.1f} / {max(v)}" if v else "-" for v in moved.values()]
            scale = statistics.mean(r.image.decode_scale for r in outcome if r.image)
            rows.append(
                [group, len(members), round(mean_mp, 1), label, round(1 / seconds, 1),
                 results.ratio(baseline, seconds, 1), *cells, round(scale, 1)]
            )  # fmt: skip
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=Path, nargs="+", help="folders of JPEGs (overrides --size)")
    parser.add_argument("--repeat", type=int, help="rounds (overrides --size)")
    parser.add_argument("--draft-sides", type=int, nargs="+", default=[1024, 512, 256])
    parser.add_argument("--smoke", action="store_true", help="the same as --size smoke")
    results.add_arguments(parser)
    args = parser.parse_args(argv)
    size = "smoke" if args.smoke else args.size
    folders = args.images or default_images(size)
    repeat = args.repeat or REPEATS[size]
    bench_run = results.Run("image_decode", "Image analysis: full vs draft (DCT-scaled) JPEG decode", size)
    photos = find_photos(folders)
    if size == "smoke":
        photos = photos[:6]
    if not photos:
        print("no JPEG photos found", file=sys.stderr)
        return 1
    print(f"Machine: {describe_machine()}")
    print(f"Images: {len(photos)} JPEGs; repeat {repeat}\n")
    print("| " + " | ".join(COLUMNS) + " |")
    print("|" + "---|" * len(COLUMNS))
    rows = measure(photos, args.draft_sides, repeat)
    for row in rows:
        print("| " + " | ".join(str(cell) for cell in row) + " |")
    if args.json:
        shown = [str(f.relative_to(ROOT)) if f.is_relative_to(ROOT) else f"corpus/{f.name}" for f in folders]
        result = bench_run.result(
            parameters={
                "images": len(photos),
                "folders": shown,
                "repeat": repeat,
                "processes": 1,
                "decoder": describe_machine().split("; ", 1)[1],
            },
            baseline="a full decode of the same photos with the same tasks (pHash, dHash, PDQ, thumbnail)",
            columns=COLUMNS,
            rows=rows,
            notes=["images/s: median over the rounds of the mean per image, one process (per core)."],
        )
        results.write(args.json, result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
