"""Names and versions of the programs and libraries a report names (asked of the libraries themselves)."""

from __future__ import annotations

import platform
from collections.abc import Callable
from importlib import metadata

import forensics
from forensics.reports.model import ToolVersion

UNKNOWN = "not available"


def _ask(getter: Callable[[], object]) -> str:
    try:
        value = getter()
    except Exception:  # a missing native library must not stop a report
        return UNKNOWN
    return str(value) if value not in (None, "") else UNKNOWN


def _tsk_version() -> str:
    import pytsk3

    return pytsk3.TSK_VERSION_STR


def _pytsk_version() -> str:
    import pytsk3

    return pytsk3.get_version()


def _libewf_version() -> str:
    """libewf's version, with the local build tag of the project's own build (scripts/build_libewf.sh)."""
    import pyewf

    version = pyewf.get_version()
    try:
        package = metadata.version("libewf-python")
    except metadata.PackageNotFoundError:
        return version
    return package if package.startswith(f"{version}+") else version


def _libmagic_version() -> str:
    import magic

    number = int(magic.version())
    return f"{number // 100}.{number % 100:02d}"


def _pyav_version() -> str:
    """PyAV's version and the FFmpeg libavcodec it carries (the decoders of the video task)."""
    import av

    codec = ".".join(str(part) for part in av.library_versions["libavcodec"])
    return f"{av.__version__} (libavcodec {codec})"


def _package(name: str) -> Callable[[], str]:
    return lambda: metadata.version(name)


def tool_versions() -> list[ToolVersion]:
    """Every tool and library that took part in processing or in producing the report, with versions."""
    rows = [
        ("Custos", lambda: forensics.__version__, "this tool"),
        ("The Sleuth Kit", _tsk_version, "volume and file-system access"),
        ("pytsk3", _pytsk_version, "Python binding of The Sleuth Kit"),
        ("libewf (pyewf)", _libewf_version, "EWF/E01 image access and stored hashes"),
        ("libmagic", _libmagic_version, "content type identification"),
        ("imagehash", _package("ImageHash"), "pHash and dHash perceptual hashes"),
        ("pdqhash", _package("pdqhash"), "PDQ perceptual hash"),
        ("PyAV (FFmpeg)", _pyav_version, "video decoding and container facts"),
        ("Pillow", _package("pillow"), "image decoding"),
        ("ExifRead", _package("ExifRead"), "EXIF and GPS metadata"),
        ("SQLite", lambda: __import__("sqlite3").sqlite_version, "case database"),
        ("ReportLab", _package("reportlab"), "PDF report"),
        ("Jinja2", _package("Jinja2"), "HTML report"),
        ("Python", platform.python_version, "runtime"),
        ("Operating system", platform.platform, "runtime"),
    ]
    return [ToolVersion(name, _ask(getter), role) for name, getter, role in rows]
