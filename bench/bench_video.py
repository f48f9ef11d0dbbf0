"""Benchmark: video decode vs the video task (vPDQ frame hashes), agreement with Meta, and list matching.

Per core (one process, one decoder thread, CPU seconds): the bare decode of every frame, then the video
task of the ``triage`` options (1 frame per second) at native size and at 360 px, the ``full`` options
(keyframes and the 20-frame strip), and every frame hashed (Meta's reference sampling) at both scales, with
frames per second per core and the ratio to the bare decode. All cores (one process per core over the clips,
wall seconds): the bare decode and the triage task. Ingest: the clips as a folder evidence item through the
ingest job with the hashes, triage and full profiles (CPU of every process), then again with each clip
looped ``--ingest-loops`` times, so that what a job costs once weighs as it does on a device's hours of video
rather than on a few short clips. Agreement: every frame hashed at
native size and at 360 px against Meta's reference hashes (bits per frame). Matching: synthetic query
videos' frames against a list of random 256-bit frame hashes through
:class:`~forensics.hashsets.video_index.VideoListIndex`.

    .venv/bin/python bench/bench_video.py [--size S] [--clips DIR] [--repeat N] [--videos N] [--list N]
        [--sections A,B] [--json PATH] [--raw-json]

Sizes: smoke, the smaller clip of tests/data, the per-core modes and a 10,000-frame list; standard, the two
clips of tests/data, every section but the sampling rates and the ingest, a 100,000-frame list; full, Meta's
sample clips in the shared corpus (else tests/data's), every section, a 1,000,000-frame list. The other
options override the size's. ``--json PATH`` writes the page's result (``bench/results.py``), ``--raw-json``
prints every measurement as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import results  # noqa: E402
from bench.shared_corpus import corpus_root  # noqa: E402
from forensics.analysis.video import analyze_video  # noqa: E402
from forensics.analysis.video_decode import VideoReader  # noqa: E402
from forensics.analysis.video_options import FULL_VIDEO, TRIAGE_VIDEO, VideoOptions  # noqa: E402
from forensics.analysis.vpdq import FrameHash, compare_videos, parse_vpdq_text  # noqa: E402
from forensics.hashsets.video_index import VideoListIndex  # noqa: E402

SHARED = (corpus_root() or ROOT / "missing-corpus") / "ThreatExchange"
LOCAL = ROOT / "tests" / "data" / "ThreatExchange"
META_FPS_NATIVE, META_FPS_360 = 207.0, 716.0  # Meta's vPDQ figures, Apple M1 Pro, decode included

ALL_SECTIONS = "per_core,all_cores,agreement,sampling,matching,ingest"
SIZES = {
    "smoke": {"repeat": 1, "videos": 200, "list": 10_000, "sections": "per_core,matching"},
    "standard": {
        "repeat": 1,
        "videos": 2_000,
        "list": 100_000,
        "sections": ALL_SECTIONS.removesuffix(",ingest"),
    },
    "full": {"repeat": 2, "videos": 10_000, "list": 1_000_000, "sections": ALL_SECTIONS},
}

MODES = {
    "triage native": TRIAGE_VIDEO,
    "triage native, no bar crop": VideoOptions(sample_fps=1.0, strip_frames=0, unletterbox=False),
    "triage 360 px": VideoOptions(sample_fps=1.0, strip_frames=0, max_side=360),
    "full native": FULL_VIDEO,
    "every frame native": VideoOptions(sample_fps=0, strip_frames=0),
    "every frame 360 px": VideoOptions(sample_fps=0, strip_frames=0, max_side=360),
}


def bare_decode(data: bytes) -> int:
    with VideoReader(data, VideoOptions()) as reader:
        return sum(1 for _ in reader.timed_frames())


def cpu_seconds(function, *args) -> tuple[float, object]:
    start = time.process_time()
    result = function(*args)
    return time.process_time() - start, result


def per_core(clips: dict[str, bytes], repeat: int) -> dict[str, dict[str, float]]:
    """CPU seconds per mode; each mode is run right after a bare decode of the same clip (pairs), so that
    the ratio of a repeat compares runs made under the same load. Ratio: median over repeats."""
    frames = sum(bare_decode(data) for data in clips.values())
    decode_runs: list[float] = []
    mode_runs: dict[str, list[float]] = {name: [] for name in MODES}
    ratios: dict[str, list[float]] = {name: [] for name in MODES}
    for _ in range(repeat):
        decodes = dict.fromkeys(MODES, 0.0)
        totals = dict.fromkeys(MODES, 0.0)
        for data in clips.values():
            for name, options in MODES.items():
                decodes[name] += cpu_seconds(bare_decode, data)[0]
                totals[name] += cpu_seconds(analyze_video, data, options)[0]
        decode_runs.append(sum(decodes.values()) / len(MODES))
        for name in MODES:
            mode_runs[name].append(totals[name])
            ratios[name].append(totals[name] / decodes[name])
    decode = min(decode_runs)
    out: dict[str, dict[str, float]] = {
        "bare decode": {"cpu_s": decode, "fps_per_core": frames / decode, "ratio": 1.0}
    }
    for name in MODES:
        cost = min(mode_runs[name])
        out[name] = {
            "cpu_s": cost,
            "fps_per_core": frames / cost,
            "ratio": statistics.median(ratios[name]),
            "ratios": ratios[name],
        }
    out["frames"] = {"decoded": frames}
    return out


def _triage(data: bytes) -> int:
    return len(analyze_video(data, TRIAGE_VIDEO).frames)


def all_cores(clips: dict[str, bytes]) -> dict[str, float]:
    work = list(clips.values()) * 2
    cores = os.cpu_count() or 1
    with ProcessPoolExecutor(cores) as pool:
        list(pool.map(bare_decode, work[:cores]))  # workers started and warm
        start = time.perf_counter()
        list(pool.map(bare_decode, work))
        decode = time.perf_counter() - start
        start = time.perf_counter()
        list(pool.map(_triage, work))
        triage = time.perf_counter() - start
    return {"cores": cores, "bare_decode_wall_s": decode, "triage_wall_s": triage, "ratio": triage / decode}


def sampling_rates(rates: tuple[float, ...] = (1.0, 2.0, 3.0)) -> dict[str, dict[str, int]]:
    """How many chair/pattern variant pairs Meta's rule pairs when both sides are hashed at each rate."""
    folder = (SHARED if (SHARED / "videos").is_dir() else LOCAL) / "videos"
    names = sorted(p.stem for p in folder.glob("*.mp4"))
    out = {}
    for rate in rates:
        options = VideoOptions(sample_fps=rate, strip_frames=0)
        results = {n: analyze_video((folder / f"{n}.mp4").read_bytes(), options) for n in names}
        for crop in (False, True):
            hashes = {n: list(r.frames) + (list(r.unletterboxed) if crop else []) for n, r in results.items()}
            same = cross = pairs = 0
            for q in names:
                for c in names:
                    if q == c:
                        continue
                    family = q.split("-")[0] == c.split("-")[0]
                    pairs += family
                    if compare_videos(hashes[q], hashes[c]).is_match:
                        same += family
                        cross += not family
            key = f"{rate:g} fps" + (", with hashes inside bars" if crop else "")
            out[key] = {"family_pairs": pairs, "family_pairs_matched": same, "cross_family_matched": cross}
    return out


def agreement(clips: dict[str, bytes], reference: Path) -> dict[str, dict[str, float]]:
    out = {}
    for scale, options in (("native", MODES["every frame native"]), ("360 px", MODES["every frame 360 px"])):
        distances: list[int] = []
        for name, data in clips.items():
            ref_path = reference / f"{name}.txt"
            if not ref_path.exists():
                continue
            expected = parse_vpdq_text(ref_path.read_text())
            ours = analyze_video(data, options).frames
            distances += [
                (int.from_bytes(a.pdq, "big") ^ int.from_bytes(b.pdq, "big")).bit_count()
                for a, b in zip(ours, expected, strict=False)
            ]
        d = np.array(distances)
        out[scale] = {
            "frames": len(d),
            "max": int(d.max()),
            "median": float(np.median(d)),
            "p95": float(np.percentile(d, 95)),
            "over_10_bits_percent": float(100 * (d > 10).mean()),
            "over_31_bits_percent": float(100 * (d > 31).mean()),
        }
    return out


def matching(videos: int, frames_per_video: int, listed: int, listed_frames: int) -> dict[str, float]:
    rng = np.random.default_rng(24)

    def video(n: int) -> list[FrameHash]:
        codes = rng.integers(0, 256, size=(n, 32), dtype=np.uint8)
        return [FrameHash(i, float(i), 100, codes[i].tobytes()) for i in range(n)]

    listed_videos = [(i, video(listed_frames)) for i in range(listed // listed_frames)]
    start = time.process_time()
    index = VideoListIndex(listed_videos)
    build = time.process_time() - start
    queries = [(i, video(frames_per_video)) for i in range(videos)]
    # Half the query videos are re-encodings of listed ones: every frame 8 bits off the listed frame.
    for i in range(0, videos, 2):
        source = listed_videos[i % len(listed_videos)][1][:frames_per_video]
        noisy = []
        for frame in source:
            bits = np.unpackbits(np.frombuffer(frame.pdq, np.uint8))
            bits[rng.choice(256, 8, replace=False)] ^= 1
            noisy.append(FrameHash(frame.number, frame.timestamp_s, 100, np.packbits(bits).tobytes()))
        queries[i] = (i, noisy)
    start, wall = time.process_time(), time.perf_counter()
    results = index.match_many(queries)
    search, wall = time.process_time() - start, time.perf_counter() - wall
    found = sum(1 for _, matches in results if matches)
    return {
        "list_frames": index.frame_count,
        "query_videos": videos,
        "query_frames": videos * frames_per_video,
        "index_build_cpu_s": build,
        "match_cpu_s": search,
        "match_wall_s": wall,
        "cores": os.cpu_count(),
        "query_frames_per_cpu_s": videos * frames_per_video / search,
        "videos_matched": found,
    }


def _ingest_once(folder: Path, work: Path, profile_name: str, workers: int) -> dict[str, float]:
    """One ingest of ``folder`` (a folder evidence item) with a profile: wall and CPU s (every process)."""
    import resource
    import shutil

    from forensics.case.db import CaseDatabase
    from forensics.case.store import record_evidence
    from forensics.evidence.survey import survey_image
    from forensics.pipeline.ingest import run_job, start_job
    from forensics.pipeline.processing_profiles import load_profile

    case = work / f"case-{profile_name}"
    shutil.rmtree(case, ignore_errors=True)
    db = CaseDatabase(case, create=True)
    try:
        with db.session() as session:
            record_evidence(session, "BENCH", survey_image(folder), {}, "Bench")
        profile = load_profile(profile_name)
        before = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        wall = time.perf_counter()
        job, _, _ = start_job(db, "BENCH", profile, workers)
        outcome = run_job(db, job, profile, workers)
        wall = time.perf_counter() - wall
        after = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        pairs = zip(after, before, strict=True)
        cpu = sum(a.ru_utime + a.ru_stime - b.ru_utime - b.ru_stime for a, b in pairs)
        with db.engine.connect() as connection:
            from sqlalchemy import text

            count = "SELECT count(*) FROM "
            videos = connection.execute(text(count + "file_video WHERE kind = 'video'")).scalar()
            frames = connection.execute(text(count + "video_frames WHERE NOT inside_bars")).scalar()
    finally:
        db.close()
    assert outcome.status == "finished" and not outcome.items_failed
    hashed = frames or 0
    return {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "videos": videos or 0, "frames_hashed": hashed}


def looped_clips(folder: Path, loops: int, out: Path) -> Path:
    """Each clip played ``loops`` times in one file (FFmpeg's ``-stream_loop``, packets copied, nothing
    re-encoded): the same codecs and frames, more of them per worker process."""
    import shutil
    import subprocess

    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise SystemExit("the looped ingest needs the ffmpeg command (Debian package ffmpeg)")
    out.mkdir(parents=True, exist_ok=True)
    for clip in sorted(folder.glob("*.mp4")):
        command = [ffmpeg, "-v", "error", "-y", "-stream_loop", str(loops - 1), "-i", str(clip)]
        subprocess.run([*command, "-map", "0", "-c", "copy", str(out / clip.name)], check=True)
    return out


def ingest(folder: Path, workers: int) -> dict[str, dict[str, float]]:
    """The clips as a folder evidence item through ``custos``'s ingest (its workers, its writer) with the
    hashes, triage and full profiles; the video work is what triage and full add to hashing, set against a
    bare decode of the same clips in this process just before (CPU seconds). What a job costs once (worker
    processes importing the decoders and hashers) is in the video work; :func:`looped_clips` spreads it
    over more video."""
    import tempfile

    bare = sum(cpu_seconds(bare_decode, path.read_bytes())[0] for path in sorted(folder.glob("*.mp4")))
    with tempfile.TemporaryDirectory(prefix="bench-video-ingest-") as work:
        profiles = ("hashes", "triage", "full")
        rows = {name: _ingest_once(folder, Path(work), name, workers) for name in profiles}
    rows["bare decode"] = {"cpu_s": round(bare, 2)}
    for name in ("triage", "full"):
        added = rows[name]["cpu_s"] - rows["hashes"]["cpu_s"]
        rows[name]["video_work_cpu_s"] = round(added, 2)
        rows[name]["video_work_ratio_to_bare_decode"] = round(added / max(bare, 1e-9), 2)
    return rows


def page_result(bench_run: results.Run, args: argparse.Namespace, found: dict) -> dict:
    """The per-core modes against the bare decode in the page's shape; the other sections as notes."""
    core = found.get("per_core", {})
    rows = [
        [name, round(row["cpu_s"], 2), round(row["fps_per_core"]), round(row["ratio"], 2)]
        for name, row in core.items()
        if name != "frames"
    ]
    notes = [f"Meta's published vPDQ figures (Apple M1 Pro, decode included): {META_FPS_NATIVE:.0f} frames/s "
             f"native, {META_FPS_360:.0f} at 360 px."]  # fmt: skip
    if "all_cores" in found:
        cores = found["all_cores"]
        notes.append(
            f"All {cores['cores']} cores (one process each): bare decode "
            f"{cores['bare_decode_wall_s']:.2f} s, triage {cores['triage_wall_s']:.2f} s wall "
            f"({cores['ratio']:.2f}x)."
        )
    for scale, row in found.get("agreement_with_meta", {}).items():
        notes.append(
            f"Agreement with Meta's reference hashes, {scale}: {row['frames']} frames, median "
            f"{row['median']:g} bits, p95 {row['p95']:g}, max {row['max']}, "
            f"{row['over_31_bits_percent']:.1f} % over 31 bits."
        )
    for rate, row in found.get("sampling_rates", {}).items():
        notes.append(
            f"Variant pairs matched at {rate}: {row['family_pairs_matched']} of {row['family_pairs']} family "
            f"pairs, {row['cross_family_matched']} across families."
        )
    if "matching" in found:
        m = found["matching"]
        notes.append(
            f"List matching: {m['query_videos']:,} query videos ({m['query_frames']:,} frames) against "
            f"{m['list_frames']:,} listed frames: {m['query_frames_per_cpu_s']:,.0f} query frames per CPU s, "
            f"{m['match_cpu_s']:.1f} CPU s, {m['match_wall_s']:.1f} s wall on {m['cores']} cores, "
            f"index built in {m['index_build_cpu_s']:.2f} CPU s, {m['videos_matched']:,} videos matched."
        )
    looped = found.get("ingest_looped", {})
    labels = {"ingest": "the clips", "ingest_looped": f"each clip looped {looped.get('loops')}x"}
    for key, label in labels.items():
        for profile, row in found.get(key, {}).items():
            if isinstance(row, dict) and "video_work_ratio_to_bare_decode" in row:
                notes.append(
                    f"Ingest of {label}, {profile} profile: {row['wall_s']} s wall, {row['cpu_s']} CPU s; "
                    f"video work {row['video_work_cpu_s']} CPU s = {row['video_work_ratio_to_bare_decode']}x "
                    f"the bare decode ({found[key]['bare decode']['cpu_s']} CPU s)."
                )
    return bench_run.result(
        parameters={
            "clips": found["clips"],
            "frames_decoded": core.get("frames", {}).get("decoded"),
            "repeat": args.repeat,
            "sections": sorted(args.sections.split(",")),
            "list_frames": args.list,
            "query_videos": args.videos,
        },
        baseline="the bare decode of every frame of the same clips (PyAV, one thread), CPU seconds",
        columns=["mode", "CPU s", "frames/s per core", "x bare decode CPU"],
        rows=rows,
        notes=notes,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    results.add_arguments(parser, default_size="full")
    parser.add_argument("--clips", type=Path, default=None)
    parser.add_argument("--repeat", type=int)
    parser.add_argument("--videos", type=int)
    parser.add_argument("--frames-per-video", type=int, default=20)
    parser.add_argument("--list", type=int)
    parser.add_argument("--raw-json", action="store_true", help="print every measurement as JSON")
    parser.add_argument("--sections", help=f"comma-separated subset of {ALL_SECTIONS} (default: the size's)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="ingest workers")
    parser.add_argument(
        "--ingest-loops", type=int, default=4, help="the ingest again with each clip looped this many times"
    )
    args = parser.parse_args(argv)
    for key, value in SIZES[args.size].items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    bench_run = results.Run("video", "Videos: the video task against the bare decode", args.size)
    base = SHARED if (SHARED / "videos").is_dir() and args.size == "full" else LOCAL
    folder = args.clips or base / "videos"
    paths = sorted(folder.glob("*.mp4"))
    if args.size == "smoke" and not args.clips:
        paths = sorted(paths, key=lambda path: path.stat().st_size)[:1]
    clips = {p.stem: p.read_bytes() for p in paths}
    sections = set(args.sections.split(","))
    found: dict[str, object] = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "note": "shared and loaded"},
        "clips": sorted(clips),
        "meta_published_fps": {"native": META_FPS_NATIVE, "360 px": META_FPS_360},
    }
    if "per_core" in sections:
        found["per_core"] = per_core(clips, args.repeat)
    if "all_cores" in sections:
        found["all_cores"] = all_cores(clips)
    if "agreement" in sections:
        found["agreement_with_meta"] = agreement(clips, base / "vpdq-sample-hashes")
    if "sampling" in sections:
        found["sampling_rates"] = sampling_rates()
    if "matching" in sections:
        found["matching"] = matching(args.videos, args.frames_per_video, args.list, args.frames_per_video)
    if "ingest" in sections:
        found["ingest"] = ingest(folder, args.workers)
        if args.ingest_loops > 1:
            import tempfile

            with tempfile.TemporaryDirectory(prefix="bench-video-looped-") as work:
                looped = looped_clips(folder, args.ingest_loops, Path(work))
                found["ingest_looped"] = {"loops": args.ingest_loops, **ingest(looped, args.workers)}
    if args.json:
        results.write(args.json, page_result(bench_run, args, found))
    if args.raw_json:
        print(json.dumps(found, indent=2))
        return 0
    core = found.get("per_core", {})
    for name, row in core.items():
        if name != "frames":
            rate, ratio = row["fps_per_core"], row["ratio"]
            print(f"  {name:28s} {row['cpu_s']:7.2f} CPU s  {rate:7.0f} frames/s per core  x{ratio:.2f}")
    for key in ("all_cores", "agreement_with_meta", "sampling_rates", "matching", "ingest"):
        if key in found:
            print(f"{key}: {found[key]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
