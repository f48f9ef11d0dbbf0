"""Benchmark: full vs JPEG draft-mode (DCT-scaled) decode for perceptual hashes and thumbnails.

For every JPEG found under the given folders it runs the pixel tasks of ``analyze`` (decode once,
pHash, dHash, PDQ with dihedral variants, thumbnail) with a full decode and with draft decodes that
keep at least N pixels on the short side, in one process (numbers are per core). It prints images/s
per size group and, per draft setting, how many bits each hash moved from the full decode.

    .venv/bin/python bench/bench_image_decode.py [--images DIR ...] [--repeat N] [--smoke]

Default images: the JPEGs under tests/data. Record results in BENCHMARKS.md ("Image analysis").
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

from forensics.analysis.api import HEAD_SIZE, AnalysisOptions, analyze  # noqa: E402

PIXEL_TASKS = frozenset({"perceptual", "thumbnail"})
LARGE_PIXELS = 2_000_000
SMALL_PIXELS = 1_000_000


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=Path, nargs="+", default=[ROOT / "tests" / "data"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--draft-sides", type=int, nargs="+", default=[1024, 512, 256])
    parser.add_argument("--smoke", action="store_true", help="one round over at most 6 images (CI)")
    args = parser.parse_args(argv)
    photos = find_photos(args.images)
    if args.smoke:
        photos, args.repeat = photos[:6], 1
    if not photos:
        print("no JPEG photos found", file=sys.stderr)
        return 1
    groups = {
        f"large (>= {LARGE_PIXELS / 1e6:.0f} MP)": [p for p in photos if p.pixels >= LARGE_PIXELS],
        f"small (< {SMALL_PIXELS / 1e6:.0f} MP)": [p for p in photos if p.pixels < SMALL_PIXELS],
    }
    settings = [("full decode", AnalysisOptions(tasks=PIXEL_TASKS))] + [
        (f"draft, short side >= {side}", AnalysisOptions(PIXEL_TASKS, True, draft_min_side=side))
        for side in args.draft_sides
    ]
    print(f"Machine: {describe_machine()}")
    print(f"Images: {len(photos)} JPEGs; repeat {args.repeat}\n")
    print(
        "| group | images | mean MP | setting | images/s per core | speed-up | pHash bits moved (mean/max)"
        " | dHash (mean/max) | PDQ (mean/max) | mean decode scale |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for group, members in groups.items():
        if not members:
            continue
        mean_mp = statistics.mean(p.pixels for p in members) / 1e6
        full_results = [run(p, settings[0][1]) for p in members]
        baseline = time_per_image(members, settings[0][1], args.repeat)
        for label, options in settings:
            seconds = baseline if options is settings[0][1] else time_per_image(members, options, args.repeat)
            results = full_results if options is settings[0][1] else [run(p, options) for p in members]
            moved = {name: [] for name in ("phash", "dhash", "pdq")}
            for full, other in zip(full_results, results, strict=True):
                if full.perceptual and other.perceptual:
                    for name, distances in moved.items():
                        before, after = getattr(full.perceptual, name), getattr(other.perceptual, name)
                        distances.append(hamming(before, after))
            cells = [f"{statistics.mean(v):.1f} / {max(v)}" if v else "-" for v in moved.values()]
            scale = statistics.mean(r.image.decode_scale for r in results if r.image)
            print(
                f"| {group} | {len(members)} | {mean_mp:.1f} | {label} | {1 / seconds:.1f} | "
                f"{baseline / seconds:.1f}x | {' | '.join(cells)} | {scale:.1f} |"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
