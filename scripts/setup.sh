#!/usr/bin/env bash
# Set up Custos on a fresh Debian/Ubuntu machine: system packages, then a virtual
# environment in .venv with the pinned Python dependencies.  Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

SYSTEM_PACKAGES=(
  # libmagic for content typing; zlib and libdeflate headers for building libewf (scripts/build_libewf.sh)
  libmagic1 zlib1g-dev libdeflate-dev
  # Test fixtures and peer tools: The Sleuth Kit, libewf tools, FAT/ext/NTFS builders
  sleuthkit ewf-tools mtools dosfstools fdisk e2fsprogs ntfs-3g qemu-utils hashdeep genisoimage
  # fusermount, to unmount the ntfs-3g (FUSE) mount that builds the NTFS fixture with deleted files
  fuse3
  # Reports and GUI tests: pdftotext/pdftoppm, a virtual X server and Qt's xcb needs
  poppler-utils xvfb libxcb-cursor0 libegl1 libgl1 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3
  libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libmagic-mgc
  # Nested content: libarchive for 7z/RAR/CAB/cpio members (read through libarchive-c, no unrar)
  libarchive13
  # Nested-content and carving fixtures: zip, 7z, tar and clips/stills made from real photos, a Word .doc
  # written by LibreOffice; PhotoRec (testdisk) is the carving benchmark's peer
  # (ffmpeg also builds the video tests' clips: a still photo cut into a video, GIFs)
  zip p7zip-full tar ffmpeg libreoffice-writer-nogui testdisk
  # PostgreSQL server (initdb, pg_ctl): the lab's case store is tested on a throw-away cluster that
  # scripts/postgres_test_cluster.sh starts in a temporary folder (scripts/test.sh); psycopg is the client
  postgresql
)

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${SYSTEM_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
fi
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing system packages: ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade "pip==26.3" >/dev/null 2>&1 || true
.venv/bin/python -m pip install -q -e ".[dev,build]"
# An editable install leaves the project's own modules uncompiled, and with PYTHONDONTWRITEBYTECODE set
# Python would compile them again in every process (each command, each ingest worker: ~0.05 s of CPU).
# Compiled once here, as pip does for an installed package; a module edited later is recompiled.
.venv/bin/python -m compileall -q app forensics ui >/dev/null
# Replace the PyPI libewf-python wheel by the same version built against the system zlib (3x faster E01).
[ "${CUSTOS_STOCK_LIBEWF:-0}" = "1" ] || bash scripts/build_libewf.sh
echo "setup: ready (.venv)" >&2
