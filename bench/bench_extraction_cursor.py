"""Reading every member of a sequential phone extraction (tar.gz): the forward-only cursor against
reopening each member from the start of the decode.

    .venv/bin/python bench/bench_extraction_cursor.py [--members 2000] [--size 65536]

The tar.gz is built in a temporary folder from pseudo-random bytes (half compressible); both ways read the
same members in walk order and must give the same digests.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import random
import tarfile
import tempfile
import time
from pathlib import Path

from forensics.evidence.extractions.extraction import open_extraction
from forensics.evidence.extractions.tar_members import open_tar_member


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--size", type=int, default=65536)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ffs.tar.gz"
        build(path, args.members, args.size)
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
    decoded_mb = args.members * args.size / 1e6
    print(
        f"{len(members)} members, {decoded_mb:.0f} MB decoded: cursor {cursor_s:.2f} s, "
        f"each from the start {start_s:.2f} s ({start_s / cursor_s:.0f}x)"
    )


if __name__ == "__main__":
    main()
