"""Fuzzing campaign: mutated real images, hash lists and pictures, each run in a limited child process.

``python bench/fuzz.py [--runs N] [--seed S] [--kinds image,list,picture] [--only NAME ...] [--json]``

Each seed input is a real file of the test data (``tests/data``) or a scripted fixture (``scripts/fixtures``,
built on demand): raw ext2, MBR, FAT16, NTFS, E01, VMDK, VHD, QCOW2, split raw, HFS+, ISO 9660; VICS,
md5sum, plain, PDQ, RDS 2 CSV, hashdeep and RDS 3 SQLite hash lists; JPEG, PNG, TIFF, HEIC and AVIF
pictures. A run copies one seed into a temporary folder, mutates the copy (bit flips, truncation, a run
of bytes, a header field set to an extreme value, mostly where the format keeps its structures; and for
ext, FAT, NTFS, JSON and line lists, mutations aimed at their structures: ``bench/fuzz_structures.py``,
the attacks of issue 21) and hands
it to a target of ``bench/fuzz_targets.py`` in a child process with a time and a memory limit
(``bench/sandbox.py``). Outcomes: clean, item-errors (the engine noted per-item problems and went on),
refused (one clear ``CustosError`` line), traceback, crash (native), hang, memory. The mutated copy is
deleted after the run; ``--keep DIR`` keeps those that ended in a traceback, crash, hang or memory.

A run is reproducible from (seed, run number): ``--seed S --only NAME --runs N`` replays it.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import struct
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.fuzz_structures import (  # noqa: E402
    Mutant,
    Structure,
    ext_structure,
    fat_structure,
    json_structure,
    ntfs_structure,
    text_structure,
)
from bench.sandbox import OUTCOMES, ChildOutcome, run_limited  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[1]
DATA = REPO_ROOT / "tests" / "data"
CACHE = REPO_ROOT / "tests" / ".cache" / "fixtures"
DEFAULT_TIME_LIMIT = 60.0  # seconds per run (the walk's own per-entry limit is 10 s)
DEFAULT_MEMORY_LIMIT = 1 << 30
# The walk's per-entry time limit in the fuzz target: short, so that a slow entry shows up as a note.
WALK_ENTRY_SECONDS = 5.0
PROBLEMS = ("traceback", "crash", "hang", "memory")
EXTREMES = (0, 0xFFFFFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFFFFFFFFFF, 0x8000000000000000, 1)
MUTATORS = ("bitflip", "truncate", "byterun", "field")


@dataclass(frozen=True)
class Seed:
    """A real input to mutate: its files (the first is opened), the target and where its structures lie."""

    name: str
    kind: str  # image | list | picture
    files: tuple[Path, ...]
    target: str
    extra: tuple = ()  # further arguments of the target after the path
    hot: Callable[[bytes], list[tuple[int, int]]] | None = None  # byte ranges holding structures
    structure: Structure | None = None  # aimed mutations of its structures (bench/fuzz_structures.py)

    @property
    def mutators(self) -> tuple[str, ...]:
        return (*MUTATORS, "struct") if self.structure else MUTATORS

    def regions(self, data: bytes) -> list[tuple[int, int]]:
        regions = self.hot(data) if self.hot else []
        return [(start, min(end, len(data))) for start, end in regions if start < len(data)] or [
            (0, len(data))
        ]


def _head(size: int) -> Callable[[bytes], list[tuple[int, int]]]:
    return lambda data: [(0, size)]


def _head_and_tail(size: int) -> Callable[[bytes], list[tuple[int, int]]]:
    return lambda data: [(0, size), (max(0, len(data) - size), len(data))]


def _ntfs_regions(data: bytes) -> list[tuple[int, int]]:
    """The boot sector and the first 64 MFT records of an NTFS volume at offset 0."""
    bytes_per_sector = struct.unpack_from("<H", data, 0x0B)[0] or 512
    cluster = bytes_per_sector * (data[0x0D] or 8)
    mft = struct.unpack_from("<Q", data, 0x30)[0] * cluster
    return [(0, 8192), (mft, mft + 64 * 1024)]


def _fixture(name: str) -> Path | None:
    try:
        from scripts.fixtures.cache import ensure_built
        from scripts.fixtures.facts import read_facts

        directory = ensure_built(name, CACHE)
    except Exception as error:  # a missing tool: the campaign goes on without this seed
        print(f"fuzz: fixture {name} not available: {error}", file=sys.stderr)
        return None
    return directory / read_facts(directory)["evidence"]["segments"][0]


def _generated_lists(folder: Path) -> list[Seed]:
    """Small lists in the formats no real sample of which is in the test data (written once per campaign)."""
    rnd = random.Random(7)
    md5s = [f"{rnd.getrandbits(128):032x}" for _ in range(40)]
    plain = folder / "plain.txt"
    plain.write_text("# plain list\n" + "".join(f"{h}\n" for h in md5s))
    pdq = folder / "pdq.txt"
    pdq.write_text(
        "".join(f"{rnd.getrandbits(256):064x},{rnd.randint(0, 100)},photo{n}.jpg\n" for n in range(40))
    )
    rds2 = folder / "NSRLFile.txt"
    rds2.write_text(
        '"SHA-1","MD5","CRC32","FileName","FileSize","ProductCode","OpSystemCode","SpecialCode"\n'
        + "".join(
            f'"{rnd.getrandbits(160):040X}","{h.upper()}","0","f{n}.dll",{n},1,"1",""\n'
            for n, h in enumerate(md5s)
        )
    )
    hashdeep = folder / "audit.txt"
    hashdeep.write_text(
        "%%%% HASHDEEP-1.0\n%%%% size,md5,filename\n## comment\n"
        + "".join(f"{n},{h},/x/f{n}\n" for n, h in enumerate(md5s))
    )
    rds3 = folder / "rds3.db"
    connection = sqlite3.connect(rds3)
    connection.executescript(
        "CREATE TABLE FILE (sha256 VARCHAR, sha1 VARCHAR, md5 VARCHAR, crc32 VARCHAR, file_name VARCHAR, "
        "file_size INTEGER, package_id INTEGER); CREATE VIEW DISTINCT_HASH AS SELECT DISTINCT sha256, sha1, "
        "md5, crc32 FROM FILE; CREATE TABLE VERSION (version VARCHAR, build_set VARCHAR, "
        "build_date TIMESTAMP, release_date TIMESTAMP, description VARCHAR);"
    )
    connection.executemany(
        "INSERT INTO FILE VALUES (?, ?, ?, '0', ?, ?, 1)",
        [
            (f"{rnd.getrandbits(256):064X}", f"{rnd.getrandbits(160):040X}", h.upper(), f"f{n}", n)
            for n, h in enumerate(md5s)
        ],
    )
    connection.commit()
    connection.close()
    target = "bench.fuzz_targets:import_list"
    return [
        Seed("list-plain", "list", (plain,), target, ("plain",), structure=text_structure),
        Seed("list-pdq", "list", (pdq,), target, ("pdq",), structure=text_structure),
        Seed("list-rds2", "list", (rds2,), target, ("rds2",), structure=text_structure),
        Seed("list-hashdeep", "list", (hashdeep,), target, ("hashdeep",), structure=text_structure),
        Seed("list-rds3", "list", (rds3,), target, ("rds3",), _head(8192)),
    ]


def seeds(work: Path) -> list[Seed]:
    """Every seed of the campaign (fixtures are built on demand; a missing one is left out)."""
    image = "bench.fuzz_targets:open_image"
    picture = "bench.fuzz_targets:analyze_picture"
    found = [
        Seed(
            "raw-ext2",
            "image",
            (DATA / "pytsk" / "image.raw",),
            image,
            (WALK_ENTRY_SECONDS,),
            _head(64 * 1024),
            ext_structure,
        ),
        Seed(
            "raw-mbr",
            "image",
            (DATA / "plaso" / "tsk_volume_system.raw",),
            image,
            (WALK_ENTRY_SECONDS,),
            _head(256 * 1024),
        ),
        Seed("e01", "image", (DATA / "dfvfs" / "ext2.E01",), image, (WALK_ENTRY_SECONDS,)),
        Seed(
            "vmdk", "image", (DATA / "dfvfs" / "ext2.vmdk",), image, (WALK_ENTRY_SECONDS,), _head(128 * 1024)
        ),
        Seed(
            "vhd",
            "image",
            (DATA / "dfvfs" / "ext2.vhd",),
            image,
            (WALK_ENTRY_SECONDS,),
            _head_and_tail(64 * 1024),
        ),
        Seed(
            "qcow2",
            "image",
            (DATA / "dfvfs" / "ext2.qcow2",),
            image,
            (WALK_ENTRY_SECONDS,),
            _head(128 * 1024),
        ),
        Seed(
            "split-raw",
            "image",
            (DATA / "dfvfs" / "ext2.splitraw.000", DATA / "dfvfs" / "ext2.splitraw.001"),
            image,
            (WALK_ENTRY_SECONDS,),
            _head(64 * 1024),
        ),
        Seed(
            "hfsplus",
            "image",
            (DATA / "dfvfs" / "hfsplus.raw",),
            image,
            (WALK_ENTRY_SECONDS,),
            _head(256 * 1024),
        ),
        Seed(
            "iso9660",
            "image",
            (DATA / "dfvfs" / "iso9660.raw",),
            image,
            (WALK_ENTRY_SECONDS,),
            _head(64 * 1024),
        ),
        Seed(
            "list-vics",
            "list",
            (DATA / "NSRL-CAID-to-UCO-Converter" / "NSRL-CAID-ART.json",),
            "bench.fuzz_targets:import_list",
            (None,),
            structure=json_structure,
        ),
        Seed(
            "list-md5sum",
            "list",
            (DATA / "sleuthkit" / "hashsets" / "testmd5.dat",),
            "bench.fuzz_targets:import_list",
            ("md5sum",),
            structure=text_structure,
        ),
        Seed("jpeg", "picture", (DATA / "exif-py" / "jpg" / "Canon_40D.jpg",), picture, (), _head(16 * 1024)),
        Seed("png", "picture", (DATA / "ThreatExchange" / "LA.png",), picture, (), _head(4096)),
        Seed("tiff", "picture", (DATA / "exif-py" / "tiff" / "Arbitro.tiff",), picture),
        Seed(
            "heic", "picture", (DATA / "exif-py" / "heic" / "spring_1440x960.heic",), picture, (), _head(8192)
        ),
        Seed("avif", "picture", (DATA / "exif-py" / "avif" / "mountains.avif",), picture, (), _head(8192)),
    ]
    for name, fixture, hot, structure in (
        ("raw-fat16", "fat_deleted", _head(64 * 1024), fat_structure),
        ("raw-ntfs", "ntfs_ads", _ntfs_regions, ntfs_structure),
        ("raw-fat-ext2-ambiguous", "fat_ext2_ambiguous", _head(128 * 1024), None),
    ):
        path = _fixture(fixture)
        if path is not None:
            found.append(Seed(name, "image", (path,), image, (WALK_ENTRY_SECONDS,), hot, structure))
    return found + _generated_lists(work)


def mutate(data: bytes, rng: random.Random, how: str, regions: list[tuple[int, int]]) -> bytes:
    """One mutation of ``data``: ``bitflip``, ``truncate``, ``byterun`` or ``field`` (mostly in regions)."""
    out = bytearray(data)
    start, end = rng.choice(regions) if rng.random() < 0.8 else (0, len(data))
    end = max(end, start + 1)
    if how == "bitflip":
        for _ in range(rng.randint(1, 8)):
            at = rng.randrange(start, end)
            out[at] ^= 1 << rng.randrange(8)
    elif how == "truncate":
        return bytes(out[: rng.randrange(start, end)])
    elif how == "byterun":
        at = rng.randrange(start, end)
        length = min(rng.choice((1, 16, 512, 4096)), len(out) - at)
        fill = rng.choice((b"\x00", b"\xff", None))
        out[at : at + length] = (fill * length) if fill else rng.randbytes(length)
    else:  # field: an aligned 2, 4 or 8-byte field set to an extreme value, either byte order
        width = rng.choice((2, 4, 8))
        at = max(0, rng.randrange(start, end) // width * width)
        value = rng.choice(EXTREMES) & ((1 << (8 * width)) - 1)
        out[at : at + width] = value.to_bytes(width, rng.choice(("little", "big")))[: len(out) - at]
    return bytes(out)


@dataclass
class RunRecord:
    """One run: what was mutated how, and how it ended."""

    seed: str
    kind: str
    run: int
    mutator: str
    outcome: str
    seconds: float
    peak_mib: float
    message: str = ""


@dataclass
class Campaign:
    """Counts of a campaign, overall and per kind of input."""

    runs: list[RunRecord] = field(default_factory=list)

    def counts(self, records: Iterable[RunRecord] | None = None) -> dict[str, int]:
        chosen = list(self.runs if records is None else records)
        tally = Counter(record.outcome for record in chosen)
        return {"runs": len(chosen), **{outcome: tally.get(outcome, 0) for outcome in OUTCOMES}}

    def summary(self) -> dict:
        kinds = sorted({record.kind for record in self.runs})
        return {
            **self.counts(),
            "memory_peak_mib": round(max((r.peak_mib for r in self.runs), default=0.0), 1),
            "slowest_s": round(max((r.seconds for r in self.runs), default=0.0), 1),
            "by_kind": {kind: self.counts(r for r in self.runs if r.kind == kind) for kind in kinds},
            "problems": [record.__dict__ for record in self.runs if record.outcome in PROBLEMS],
        }


def run_one(
    seed: Seed,
    number: int,
    base_seed: int,
    work: Path,
    time_limit: float,
    memory_limit: int,
    keep: Path | None,
    mutators: tuple[str, ...] | None = None,
) -> RunRecord:
    """Mutate ``seed`` (deterministically from the seeds and run number) and run its target once."""
    rng = random.Random(f"{base_seed}:{seed.name}:{number}")
    usable = [m for m in (mutators or seed.mutators) if m in seed.mutators]
    how = usable[number % len(usable)]
    folder = Path(tempfile.mkdtemp(prefix=f"fuzz-{seed.name}-", dir=work))
    try:
        copies = [folder / source.name for source in seed.files]
        victim = rng.randrange(len(copies))
        for index, (source, copy) in enumerate(zip(seed.files, copies, strict=True)):
            data = source.read_bytes()
            mutant = Mutant(data)
            if index == victim and how == "struct" and seed.structure is not None:
                mutant = seed.structure(data, rng)
            elif index == victim:
                mutant = Mutant(mutate(data, rng, how, seed.regions(data)))
            with copy.open("wb") as stream:
                stream.write(mutant.data)
                if mutant.extend_to:
                    stream.truncate(mutant.extend_to)  # a sparse tail of zeros
        args = [str(copies[0])]
        if seed.kind == "list":
            args += [str(folder / "library.db"), *seed.extra, None]
        else:
            args += list(seed.extra)
        outcome: ChildOutcome = run_limited(
            seed.target, args, time_limit=time_limit, memory_limit=memory_limit
        )
        if outcome.outcome in PROBLEMS and keep is not None:
            kept = keep / f"{seed.name}-{base_seed}-{number}"
            shutil.copytree(folder, kept, dirs_exist_ok=True)
        message = outcome.message if outcome.outcome != "clean" else ""
        if outcome.outcome == "item-errors" and isinstance(outcome.result, dict):
            message = "; ".join(
                map(str, outcome.result.get("notes") or outcome.result.get("warnings") or [])
            )[:300]
        return RunRecord(
            seed.name,
            seed.kind,
            number,
            how,
            outcome.outcome,
            round(outcome.seconds, 2),
            round(outcome.peak_bytes / (1 << 20), 1),
            message[-1500:],
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def campaign(
    runs: int,
    base_seed: int = 2121,
    *,
    kinds: Iterable[str] = ("image", "list", "picture"),
    only: Iterable[str] = (),
    time_limit: float = DEFAULT_TIME_LIMIT,
    memory_limit: int = DEFAULT_MEMORY_LIMIT,
    keep: Path | None = None,
    progress: Callable[[RunRecord], None] | None = None,
    mutators: tuple[str, ...] | None = None,
) -> Campaign:
    """``runs`` mutations of every chosen seed, one after the other (``mutators``: only those kinds)."""
    result = Campaign()
    wanted, named = set(kinds), set(only)
    with tempfile.TemporaryDirectory(prefix="custos-fuzz-") as scratch:
        work = Path(scratch)
        for seed in seeds(work):
            if seed.kind not in wanted or (named and seed.name not in named):
                continue
            if mutators and not set(mutators) & set(seed.mutators):
                continue
            for number in range(runs):
                record = run_one(seed, number, base_seed, work, time_limit, memory_limit, keep, mutators)
                result.runs.append(record)
                if progress is not None:
                    progress(record)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="mutations per seed (default 20)")
    parser.add_argument("--seed", type=int, default=2121, help="campaign seed (default 2121)")
    parser.add_argument("--kinds", default="image,list,picture")
    parser.add_argument("--only", nargs="*", default=[], help="seed names (see the module's seeds())")
    parser.add_argument("--time-limit", type=float, default=DEFAULT_TIME_LIMIT)
    parser.add_argument("--memory-limit-mib", type=int, default=DEFAULT_MEMORY_LIMIT >> 20)
    parser.add_argument("--keep", type=Path, help="keep mutated inputs that ended badly in this folder")
    parser.add_argument("--mutators", help=f"only these, comma-separated: {', '.join(MUTATORS)}, struct")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args(argv)

    def show(record: RunRecord) -> None:
        if not args.json or record.outcome in PROBLEMS:
            print(
                f"{record.seed:24} #{record.run:<4} {record.mutator:8} {record.outcome:11} "
                f"{record.seconds:6.1f} s {record.peak_mib:7.1f} MiB  {record.message[:120]}",
                file=sys.stderr,
            )

    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    result = campaign(
        args.runs,
        args.seed,
        kinds=args.kinds.split(","),
        only=args.only,
        time_limit=args.time_limit,
        memory_limit=args.memory_limit_mib << 20,
        keep=args.keep,
        progress=show,
        mutators=tuple(args.mutators.split(",")) if args.mutators else None,
    )
    summary = {**result.summary(), "seed": args.seed, "runs_per_seed": args.runs}
    summary["wall_s"] = round(time.monotonic() - started, 1)
    if args.json:
        print(json.dumps(summary, indent=1, sort_keys=True))
    else:
        print(json.dumps({k: v for k, v in summary.items() if k != "problems"}, indent=1, sort_keys=True))
    return 1 if any(summary[outcome] for outcome in PROBLEMS) else 0


if __name__ == "__main__":
    sys.exit(main())
