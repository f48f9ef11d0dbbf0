#!/usr/bin/env bash
# Build libewf-python from its PyPI source distribution against the system zlib, and install it
# into .venv. The PyPI wheel inflates EWF chunks with libewf's own built-in deflate code (its build
# disables zlib together with shared libraries), which makes reading compressed E01 images several
# times slower; see BENCHMARKS.md ("E01 reading"). Same upstream source, same version, zlib only.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=$(sed -n 's/.*"libewf-python==\([0-9]*\)".*/\1/p' pyproject.toml)
PY=.venv/bin/python
WHEELS="${CUSTOS_WHEEL_CACHE:-$HOME/.cache/custos/wheels}"
mkdir -p "$WHEELS"

installed=$($PY -c "import importlib.metadata as m; print(m.version('libewf-python'))" 2>/dev/null || true)
if [ "$installed" = "${VERSION}+zlib" ]; then
  exit 0
fi
wheel=$(ls "$WHEELS"/libewf_python-"${VERSION}"+zlib-*.whl 2>/dev/null | head -1 || true)
if [ -z "$wheel" ]; then
  echo "setup: building libewf-python ${VERSION} against the system zlib (one time, about two minutes)" >&2
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  $PY -m pip download -q --no-deps --no-binary :all: "libewf-python==${VERSION}" -d "$work"
  tar -xzf "$work"/libewf_python-"${VERSION}".tar.gz -C "$work"
  src="$work/libewf_python-${VERSION}"
  # zlib from the system; every other optional library off so the extension links zlib alone.
  sed -i 's|"configure --disable-nls --disable-shared-libs"|"configure --disable-nls --with-zlib --with-bzip2=no --with-openssl=no --with-libuuid=no --with-libfuse=no"|' "$src/_build.py"
  sed -i 's|                sources=project_information.sources,|                sources=project_information.sources,\n                libraries=["z"],|' "$src/_build.py"
  sed -i "s|^version = \"${VERSION}\"|version = \"${VERSION}+zlib\"|" "$src/pyproject.toml"
  grep -q 'with-zlib' "$src/_build.py" && grep -q 'libraries=\["z"\]' "$src/_build.py" \
    || { echo "setup: libewf-python build script changed; cannot apply the zlib build" >&2; exit 1; }
  MAKEFLAGS="-j$(nproc)" $PY -m pip wheel -q --no-deps -w "$WHEELS" "$src"
  wheel=$(ls "$WHEELS"/libewf_python-"${VERSION}"+zlib-*.whl | head -1)
fi
$PY -m pip install -q --no-deps --force-reinstall "$wheel"
$PY - <<'PYCHECK'
import pyewf
print("setup: pyewf", pyewf.get_version(), "built with the system zlib", flush=True)
PYCHECK
