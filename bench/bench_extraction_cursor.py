"""Reading every member of a sequential phone extraction (tar.gz): the forward-only cursor against a bare
sequential decode and against reopening each member from the start of the decode.

    .venv/bin/python bench/bench_extraction_cursor.py [--size S] [--members N] [--member-size B] [--json PATH]

The tar.gz is built in a temporary folder from pseudo-random bytes (half compressible). The baseline is a
bare ``tarfile`` stream pass (``r|gz``) that reads and MD5-hashes every member once: the floor of any
reader. Every way reads the same members in walk order and must give the same digests.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import random
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import results  # noqa: E402
from forensics.evidence.extractions.extraction import open_extraction  # noqa: E402
from forensics.evidence.extractions.tar_members import open_tar_member  # noqa: E402

MEMBERS = {"smoke": 100, "standard": 300, "full": 2000}  # reopening from the start is quadratic
MEMBER_SIZE = 65536


def build(path: Path, members: int, size: int) -> None:
    rng = random.Random(7)
    with tarfile.open(path, "w:gz") as archive:
        for index in range(members):
            data = rng.randbytes(size // 2) + bytes(size // 2)
            info = tarfile.TarInfo(f"data/media/0/DCIM/f{index:06d}.bin")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        info = tarfile.TarInfo("system/build.prop")
        info.size = 1
        archive.addfile(info, io.BytesIO(b"x"))


def bare_stream(path: Path) -> list[str]:
    """MD5 of every regular member in one forward pass of ``tarfile``'s stream mode (the baseline)."""
    digests = []
    with tarfile.open(path, "r|gz") as archive:
        for info in archive:
            if info.isfile():
                handle = archive.extractfile(info)
                digests.append(hashlib.md5(handle.read() if handle else b"").hexdigest())
    return digests


def measure(members_wanted: int, member_size: int) -> dict:
    """Seconds of each way over the same extraction; the digests of the three ways must agree."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ffs.tar.gz"
        build(path, members_wanted, member_size)
        started = time.perf_counter()
        bare = bare_stream(path)
        bare_s = time.perf_counter() - started
        with open_extraction(path) as extraction:
            members = [m for m in extraction.members() if m.readable]
            started = time.perf_counter()
            with_cursor = []
            for member in members:
                with extraction.open_member(member.link_kind, member.params) as stream:
                    with_cursor.append(hashlib.md5(stream.read()).hexdigest())
            cursor_s = time.perf_counter() - started
            started = time.perf_counter()
            from_start = []
            with open(path, "rb") as parent:
                for member in members:
                    with open_tar_member(parent, member.params) as stream:
                        from_start.append(hashlib.md5(stream.read()).hexdigest())
            start_s = time.perf_counter() - started
    assert with_cursor == from_start
    assert sorted(with_cursor) == sorted(bare)
    return {"members": len(members), "bare_s": bare_s, "cursor_s": cursor_s, "start_s": start_s}


def page_result(run: results.Run, members: int, member_size: int, measured: dict) -> dict:
    decoded_mb = members * member_size / 1e6
    rows = [
        [label, round(seconds, 3), round(decoded_mb / seconds, 1), results.ratio(seconds, measured["bare_s"])]
        for label, seconds in (
            ("bare: tarfile stream pass (r|gz), every member MD5-hashed", measured["bare_s"]),
            ("custos: forward-only cursor (open_member in walk order)", measured["cursor_s"]),
            ("each member reopened from the start of the decode", measured["start_s"]),
        )
    ]
    return run.result(
        parameters={
            "members": measured["members"],
            "member_bytes": member_size,
            "decoded_mb": round(decoded_mb),
        },
        baseline="one bare forward pass of Python's tarfile over the same tar.gz",
        columns=["way", "wall s", "MB/s decoded", "x bare time"],
        rows=rows,
        notes=["Members are half pseudo-random, half zero bytes; every way must give the same MD5s."],
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, help="members in the tar.gz (overrides --size)")
    parser.add_argument("--member-size", type=int, default=MEMBER_SIZE, help="bytes per member")
    results.add_arguments(parser)
    args = parser.parse_args(argv)
    members = args.members or MEMBERS[args.size]
    run = results.Run("extraction_cursor", "Phone extraction (tar.gz): reading every member", args.size)
    measured = measure(members, args.member_size)
    decoded_mb = members * args.member_size / 1e6
    cursor_s, start_s, bare_s = measured["cursor_s"], measured["start_s"], measured["bare_s"]
    print(
        f"{measured['members']} members, {decoded_mb:.0f} MB decoded: bare stream {bare_s:.2f} s, "
        f"cursor {cursor_s:.2f} s, each from the start {start_s:.2f} s ({start_s / cursor_s:.0f}x)"
    )
    if args.json:
        results.write(args.json, page_result(run, members, args.member_size, measured))
    return 0


if __name__ == "__main__":
    sys.exit(main())
