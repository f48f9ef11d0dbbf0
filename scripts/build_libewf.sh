#!/usr/bin/env bash
# Build libewf-python from its PyPI source distribution and install it into .venv. Same upstream source
# and version, three changes (see docs/benchmark-history.md "E01 reading"):
# * the system zlib instead of libewf's built-in deflate code (the PyPI wheel's build disables zlib
#   together with shared libraries, which makes reading compressed E01 images several times slower);
# * the one call that inflates a chunk goes to libdeflate (scripts/libewf/libdeflate_uncompress.c),
#   about twice as fast as zlib on EWF chunks, with zlib's return codes;
# * pyewf.handle.get_checksum_errors() (scripts/libewf/pyewf_checksum_errors.c): the sector ranges of
#   chunks that failed their checksum or could not be inflated, which libewf reads as zeros.
set -euo pipefail
cd "$(dirname "$0")/.."
LOCAL_TAG="libdeflate.checksums"
VERSION=$(sed -n 's/.*"libewf-python==\([0-9]*\)".*/\1/p' pyproject.toml)
PY=.venv/bin/python
WHEELS="${CUSTOS_WHEEL_CACHE:-$HOME/.cache/custos/wheels}"
mkdir -p "$WHEELS"

installed=$($PY -c "import importlib.metadata as m; print(m.version('libewf-python'))" 2>/dev/null || true)
if [ "$installed" = "${VERSION}+${LOCAL_TAG}" ]; then
  exit 0
fi
wheel=$(ls "$WHEELS"/libewf_python-"${VERSION}"+"${LOCAL_TAG}"-*.whl 2>/dev/null | head -1 || true)
if [ -z "$wheel" ]; then
  echo "setup: building libewf-python ${VERSION} with zlib and libdeflate (one time, about two minutes)" >&2
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  $PY -m pip download -q --no-deps --no-binary :all: "libewf-python==${VERSION}" -d "$work"
  tar -xzf "$work"/libewf_python-"${VERSION}".tar.gz -C "$work"
  src="$work/libewf_python-${VERSION}"
  # zlib from the system; every other optional library off so the extension links zlib alone.
  sed -i 's|"configure --disable-nls --disable-shared-libs"|"configure --disable-nls --with-zlib --with-bzip2=no --with-openssl=no --with-libuuid=no --with-libfuse=no"|' "$src/_build.py"
  sed -i 's|                sources=project_information.sources,|                sources=project_information.sources,\n                libraries=["z", "deflate"],|' "$src/_build.py"
  sed -i "s|^version = \"${VERSION}\"|version = \"${VERSION}+${LOCAL_TAG}\"|" "$src/pyproject.toml"
  # Chunk inflate through libdeflate: the shim joins libewf's sources, its single uncompress() call is renamed.
  cp scripts/libewf/libdeflate_uncompress.c "$src/libewf/custos_libdeflate_uncompress.c"
  sed -i '0,/^#include <zlib.h>$/s//#include <zlib.h>\nint custos_libdeflate_uncompress(Bytef *, uLongf *, const Bytef *, uLong);/' \
    "$src/libewf/libewf_compression.c"
  sed -i 's/result = uncompress(/result = custos_libdeflate_uncompress(/' "$src/libewf/libewf_compression.c"
  # pyewf.handle.get_checksum_errors(): a source file and one entry in the handle's method table.
  cp scripts/libewf/pyewf_checksum_errors.c "$src/pyewf/custos_checksum_errors.c"
  sed -i '0,/^#include "pyewf_unused.h"$/s//#include "pyewf_unused.h"\n\nPyObject *pyewf_handle_get_checksum_errors(pyewf_handle_t *, PyObject *);/' \
    "$src/pyewf/pyewf_handle.c"
  sed -i '0,/^\t{ "get_media_size",$/s//\t{ "get_checksum_errors",\n\t  (PyCFunction) pyewf_handle_get_checksum_errors,\n\t  METH_NOARGS,\n\t  "get_checksum_errors() -> List of (start_sector, number_of_sectors)\\n"\n\t  "\\n"\n\t  "Chunks read so far that failed their checksum or could not be inflated (read as zeros)." },\n\n\t{ "get_media_size",/' \
    "$src/pyewf/pyewf_handle.c"
  grep -q 'with-zlib' "$src/_build.py" && grep -q 'libraries=\["z", "deflate"\]' "$src/_build.py" \
    && [ "$(grep -c 'custos_libdeflate_uncompress' "$src/libewf/libewf_compression.c")" = 2 ] \
    && ! grep -q '= uncompress(' "$src/libewf/libewf_compression.c" \
    && [ "$(grep -c 'pyewf_handle_get_checksum_errors' "$src/pyewf/pyewf_handle.c")" = 2 ] \
    || { echo "setup: libewf-python sources changed; cannot apply the Custos build changes" >&2; exit 1; }
  MAKEFLAGS="-j$(nproc)" $PY -m pip wheel -q --no-deps -w "$WHEELS" "$src"
  wheel=$(ls "$WHEELS"/libewf_python-"${VERSION}"+"${LOCAL_TAG}"-*.whl | head -1)
fi
$PY -m pip install -q --no-deps --force-reinstall "$wheel"
$PY - <<'PYCHECK'
import pyewf
assert hasattr(pyewf.handle, "get_checksum_errors"), "pyewf without get_checksum_errors"
print("setup: pyewf", pyewf.get_version(), "built with zlib, libdeflate and checksum-error access", flush=True)
PYCHECK
