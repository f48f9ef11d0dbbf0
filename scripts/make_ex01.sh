#!/usr/bin/env bash
# Build tests/data/ex01/ext2.Ex01: the dfvfs ext2 volume (tests/data/dfvfs/ext2.splitraw.000+001)
# acquired into the EWF2 (Ex01) format by libewf's own ewfacquire, built from the PyPI source
# distribution of the pinned libewf-python (Debian's ewf-tools 20140813 cannot write Ex01).
# Not run by the tests: the result is committed; run this to rebuild it.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=$(sed -n 's/.*"libewf-python==\([0-9]*\)".*/\1/p' pyproject.toml)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
.venv/bin/python -m pip download -q --no-deps --no-binary :all: "libewf-python==${VERSION}" -d "$work"
tar -xzf "$work/libewf_python-${VERSION}.tar.gz" -C "$work"
(cd "$work/libewf_python-${VERSION}" && ./configure --disable-nls --with-libfuse=no >/dev/null && make -j"$(nproc)" >/dev/null)
cat tests/data/dfvfs/ext2.splitraw.000 tests/data/dfvfs/ext2.splitraw.001 > "$work/ext2.raw"
"$work/libewf_python-${VERSION}/ewftools/ewfacquire" -u -q -t "$work/ext2" -f encase7-v2 -c deflate:best \
  -C "EX01-CASE" -D "dfvfs ext2 volume" -e "Custos fixture" -E "EX01-1" -N "built by scripts" "$work/ext2.raw"
install -m 444 "$work/ext2.Ex01" tests/data/ex01/ext2.Ex01
sha256sum tests/data/ex01/ext2.Ex01
