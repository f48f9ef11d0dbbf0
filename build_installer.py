#!/usr/bin/env python3
"""Build the self-contained Custos bundle (CLI and GUI) with PyInstaller, then its installer.

Usage (from the repository root, inside the project's venv with the ``build`` extra installed)::

    python build_installer.py [--dist DIR] [--work DIR] [--no-package] [--clean] [--compress-level N]

The PyInstaller spec lives here in code: ``spec_text`` writes it into the work folder on every build,
so no ``.spec`` file is checked in. Name and version come from ``pyproject.toml``.

What the bundle holds (one folder, ``onedir``): Python, the app/forensics/ui packages, PySide6 with
its Qt plugins, pytsk3 and the libyal bindings (pyewf, pyqcow, pyvhdi, pyvmdk), libmagic with the
magic database it was built for, ``resources/`` and the alembic migrations as data files (alembic
reads them from disk). A runtime hook points python-magic at the bundled library and database.

Per platform (``package``):
- Linux: ``<name>-<version>-linux-<arch>.tar.gz`` and, when ``dpkg-deb`` exists, a ``.deb`` that
  installs the bundle under ``/opt/<name>`` with ``/usr/bin/<name>`` and a desktop entry.
- Windows: a ``.zip`` of the bundle and, when Inno Setup's ``ISCC.exe`` is on PATH, a setup ``.exe``.
- macOS: ``<Name>.app`` (PyInstaller BUNDLE) and a ``.dmg`` made with ``hdiutil``.
Only the Linux branch can be run on the project's machines; see ``docs/installing.md``.
"""

from __future__ import annotations

import argparse
import ctypes.util
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import textwrap
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent
NATIVE_MODULES = ("pytsk3", "pyewf", "pyqcow", "pyvhdi", "pyvmdk")
# Distributions whose metadata the frozen app asks for (component versions in reports and selftest).
METADATA_PACKAGES = (
    "ImageHash",
    "pdqhash",
    "av",
    "pillow",
    "ExifRead",
    "reportlab",
    "Jinja2",
    "SQLAlchemy",
    "alembic",
    "numpy",
    "python-magic",
    "PySide6-Essentials",
    "pillow-heif",
    "cryptography",
)
EXCLUDES = ("tkinter", "pytest", "_pytest", "IPython", "matplotlib", "tests")

ENTRY_SCRIPT = '''\
"""Frozen entry point: `custos ...` is the CLI; an executable named custos-gui starts the desktop."""
import multiprocessing
import sys
from pathlib import Path

if __name__ == "__main__":
    multiprocessing.freeze_support()  # ingest workers are spawned processes of this executable
    if len(sys.argv) > 2 and sys.argv[1] == "-m":
        # The GUI runs engine jobs as `<python> -m app ...`; frozen, this executable stands in for python.
        import runpy

        module = sys.argv[2]
        sys.argv = [sys.argv[0], *sys.argv[3:]]
        runpy.run_module(module, run_name="__main__", alter_sys=True)
        sys.exit(0)
    if Path(sys.executable).stem.lower().endswith("-gui"):
        from app.gui import main as gui_main

        sys.exit(gui_main(sys.argv[1] if len(sys.argv) > 1 else None))
    from app.cli import run

    run()
'''

RUNTIME_HOOK = '''\
"""Make python-magic load the bundled libmagic and its own magic database (set before any import)."""
import ctypes.util
import os
import sys
from pathlib import Path

_bundle = Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent))
_folder = next((f for f in (_bundle / "libmagic", _bundle / "magic" / "libmagic") if f.is_dir()), _bundle)
_database = _folder / "magic.mgc"
if _database.is_file():
    os.environ["MAGIC"] = str(_database)
_libraries = [p for pattern in ("*magic*.so*", "*magic*.dll", "*magic*.dylib")
              for p in sorted(_folder.glob(pattern))]
if _libraries:
    _system_find_library = ctypes.util.find_library

    def _find_library(name, _lib=str(_libraries[0]), _system=_system_find_library):
        return _lib if name in ("magic", "libmagic", "magic1", "libmagic-1") else _system(name)

    ctypes.util.find_library = _find_library
'''


@dataclass(frozen=True)
class Project:
    """Name, version and description read from ``pyproject.toml``."""

    name: str
    version: str
    description: str

    @property
    def title(self) -> str:
        return self.name.capitalize()


def read_project(pyproject: Path = ROOT / "pyproject.toml") -> Project:
    """The ``[project]`` table's name, version and description."""
    table = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    return Project(table["name"], table["version"], table.get("description", ""))


def platform_tag() -> str:
    """``linux-x86_64``, ``windows-amd64``, ``macos-arm64``...: names the archives."""
    system = {"darwin": "macos", "win32": "windows"}.get(sys.platform, sys.platform)
    return f"{system}-{platform.machine().lower()}"


# -- libmagic ----------------------------------------------------------------------------------------------
def find_libmagic() -> tuple[Path, Path]:
    """(shared library, compiled database) of the libmagic python-magic uses on this machine."""
    import magic  # noqa: F401  (loads the library, so its path is known to the dynamic linker)

    library = _libmagic_library()
    database = _magic_database()
    return library, database


def _libmagic_library() -> Path:
    import magic

    shipped = Path(magic.__file__).with_name("libmagic")  # python-magic-bin (Windows) ships the DLL here
    for pattern in ("*magic*.dll", "*magic*.dylib", "*magic*.so*"):
        found = sorted(shipped.glob(pattern))
        if found:
            return found[0].resolve()
    try:
        from magic import loader

        candidates = list(loader._lib_candidates())  # python-magic's own search order
    except ImportError:
        candidates = [ctypes.util.find_library("magic")]
    for candidate in candidates:
        if not candidate:
            continue
        found = _resolve_library(candidate)
        if found is not None:
            return found
    raise SystemExit("libmagic not found: install libmagic1 (Debian), libmagic (Homebrew), python-magic-bin")


def _resolve_library(candidate: str) -> Path | None:
    path = Path(candidate)
    if path.is_file():
        return path.resolve()
    if sys.platform.startswith("linux"):
        out = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=False).stdout
        for line in out.splitlines():
            if line.strip().startswith(candidate + " ") and "=>" in line:
                target = Path(line.split("=>", 1)[1].strip())
                if target.is_file() and ("x86-64" in line) == (platform.machine() == "x86_64"):
                    return target.resolve()
    found = ctypes.util.find_library(candidate)
    return Path(found).resolve() if found and Path(found).is_file() else None


def _magic_database() -> Path:
    """The compiled database libmagic was built to read (``$MAGIC`` wins, as for libmagic itself)."""
    candidates = [os.environ.get("MAGIC", "")]
    candidates += [
        "/usr/lib/file/magic.mgc",
        "/usr/share/misc/magic.mgc",
        "/usr/share/file/magic.mgc",
        "/opt/homebrew/share/misc/magic.mgc",
        "/usr/local/share/misc/magic.mgc",
    ]
    try:
        import magic

        candidates.append(str(Path(magic.__file__).with_name("libmagic") / "magic.mgc"))  # python-magic-bin
    except ImportError:
        pass
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate).resolve()
    raise SystemExit("magic.mgc not found: install libmagic-mgc (Debian) or set MAGIC=/path/magic.mgc")


# -- spec --------------------------------------------------------------------------------------------------
def spec_text(project: Project, work: Path) -> str:
    """The PyInstaller spec for this platform (written to ``work`` and run by PyInstaller)."""
    library, database = find_libmagic()
    entry = work / "custos_entry.py"
    entry.write_text(ENTRY_SCRIPT, encoding="utf-8")
    hook = work / "rthook_magic.py"
    hook.write_text(RUNTIME_HOOK, encoding="utf-8")
    windowed_gui = sys.platform in ("win32", "darwin")
    # python-magic-bin (Windows) looks beside its own package; python-magic is pointed there by the hook.
    magic_dest = "magic/libmagic" if sys.platform == "win32" else "libmagic"
    icon = ROOT / "resources" / "ui" / ("custos.ico" if sys.platform == "win32" else "custos.icns")
    return textwrap.dedent(f"""\
        # Generated by build_installer.py: edit that file, not this one.
        from PyInstaller.utils.hooks import collect_submodules, copy_metadata

        ROOT = {str(ROOT)!r}
        hiddenimports = []
        # Sub-commands are imported by name and migrations by path: collect them all; not alembic's test kit.
        for package in ("app", "forensics", "ui", "alembic", "sqlalchemy.dialects.sqlite"):
            hiddenimports += collect_submodules(package, filter=lambda name: ".testing" not in name)
        hiddenimports += {list(NATIVE_MODULES)!r}
        datas = [
            (ROOT + "/resources", "resources"),
            (ROOT + "/forensics/case/migrations", "forensics/case/migrations"),
            ({str(database)!r}, {magic_dest!r}),
        ]
        for name in {[project.name, *METADATA_PACKAGES]!r}:
            try:
                datas += copy_metadata(name)
            except Exception:
                print("no metadata for", name)
        binaries = [({str(library)!r}, {magic_dest!r})]

        a = Analysis(
            [{str(entry)!r}],
            pathex=[ROOT],
            binaries=binaries,
            datas=datas,
            hiddenimports=hiddenimports,
            runtime_hooks=[{str(hook)!r}],
            excludes={list(EXCLUDES)!r},
            noarchive=False,
        )
        pyz = PYZ(a.pure)
        icon = {str(icon)!r} if __import__("os").path.exists({str(icon)!r}) else None
        cli = EXE(pyz, a.scripts, [], exclude_binaries=True, name={project.name!r}, console=True,
                  icon=icon, upx=False)
        gui = EXE(pyz, a.scripts, [], exclude_binaries=True, name={project.name + "-gui"!r},
                  console={not windowed_gui!r}, icon=icon, upx=False)
        # macOS names the .app's executable after the first EXE: the windowed GUI there.
        executables = (gui, cli) if {sys.platform == "darwin"!r} else (cli, gui)
        bundle = COLLECT(*executables, a.binaries, a.datas, name={project.name!r}, upx=False)
        if {sys.platform == "darwin"!r}:
            app = BUNDLE(bundle, name={project.title + ".app"!r}, icon=icon,
                         bundle_identifier="org.custos.{project.name}", version={project.version!r})
        """)


def build_bundle(project: Project, dist: Path, work: Path, clean: bool) -> Path:
    """Run PyInstaller on the generated spec; returns the bundle folder ``dist/<name>``."""
    work.mkdir(parents=True, exist_ok=True)
    spec = work / f"{project.name}.spec"
    spec.write_text(spec_text(project, work), encoding="utf-8")
    args = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--log-level",
        "WARN",
        "--distpath",
        str(dist),
        "--workpath",
        str(work / "pyinstaller"),
        str(spec),
    ]
    if clean:
        args.insert(3, "--clean")
    subprocess.run(args, check=True, cwd=ROOT)
    return dist / project.name


# -- installers --------------------------------------------------------------------------------------------
def make_tarball(project: Project, bundle: Path, dist: Path, level: int = 6) -> Path:
    """``<name>-<version>-<platform>.tar.gz`` holding the bundle folder as ``<name>-<version>/``."""
    target = dist / f"{project.name}-{project.version}-{platform_tag()}.tar.gz"
    with tarfile.open(target, "w:gz", compresslevel=level) as tar:
        tar.add(bundle, arcname=f"{project.name}-{project.version}")
    return target


def deb_arch() -> str:
    return {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())


def make_deb(project: Project, bundle: Path, dist: Path, work: Path, level: int = 6) -> Path | None:
    """A ``.deb`` (bundle in ``/opt/<name>``); None when ``dpkg-deb`` is not installed."""
    if shutil.which("dpkg-deb") is None:
        return None
    root = work / "deb" / f"{project.name}_{project.version}"
    shutil.rmtree(root, ignore_errors=True)
    (root / "DEBIAN").mkdir(parents=True)
    shutil.copytree(bundle, root / "opt" / project.name, symlinks=True)
    bin_dir = root / "usr" / "bin"
    bin_dir.mkdir(parents=True)
    for exe in (project.name, f"{project.name}-gui"):
        (bin_dir / exe).symlink_to(f"/opt/{project.name}/{exe}")
    applications = root / "usr" / "share" / "applications"
    applications.mkdir(parents=True)
    (applications / f"{project.name}.desktop").write_text(
        f"[Desktop Entry]\nType=Application\nName={project.title}\nComment={project.description}\n"
        f"Exec=/opt/{project.name}/{project.name}-gui\nTerminal=false\nCategories=Utility;\n",
        encoding="utf-8",
    )
    size_kib = sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.is_symlink()) // 1024
    (root / "DEBIAN" / "control").write_text(
        f"Package: {project.name}\nVersion: {project.version}\nArchitecture: {deb_arch()}\n"
        f"Maintainer: {project.title} maintainers <noreply@invalid>\nInstalled-Size: {size_kib}\n"
        f"Section: utils\nPriority: optional\nDescription: {project.description}\n"
        " Self-contained bundle: Python, Qt, The Sleuth Kit, libyal and libmagic are included.\n",
        encoding="utf-8",
    )
    target = dist / f"{project.name}_{project.version}_{deb_arch()}.deb"
    subprocess.run(
        ["dpkg-deb", "--root-owner-group", "-Zgzip", f"-z{level}", "--build", str(root), str(target)],
        check=True,
        capture_output=True,
    )
    return target


def make_windows_installer(project: Project, bundle: Path, dist: Path, work: Path) -> list[Path]:
    """A zip of the bundle, plus an Inno Setup installer when ``ISCC.exe`` is on PATH."""
    outputs = [
        Path(
            shutil.make_archive(
                str(dist / f"{project.name}-{project.version}-{platform_tag()}"),
                "zip",
                bundle.parent,
                bundle.name,
            )
        )
    ]
    iscc = shutil.which("ISCC") or shutil.which("ISCC.exe")
    if iscc:
        script = work / f"{project.name}.iss"
        script.write_text(
            textwrap.dedent(f"""\
            [Setup]
            AppName={project.title}
            AppVersion={project.version}
            DefaultDirName={{autopf}}\\{project.title}
            DefaultGroupName={project.title}
            OutputDir={dist}
            OutputBaseFilename={project.name}-{project.version}-setup
            ArchitecturesInstallIn64BitMode=x64compatible
            [Files]
            Source: "{bundle}\\*"; DestDir: "{{app}}"; Flags: recursesubdirs ignoreversion
            [Icons]
            Name: "{{group}}\\{project.title}"; Filename: "{{app}}\\{project.name}-gui.exe"
            """),
            encoding="utf-8",
        )
        subprocess.run([iscc, str(script)], check=True)
        outputs.append(dist / f"{project.name}-{project.version}-setup.exe")
    return outputs


def make_macos_dmg(project: Project, dist: Path) -> list[Path]:
    """A compressed ``.dmg`` of ``<Name>.app`` made with ``hdiutil``."""
    app = dist / f"{project.title}.app"
    target = dist / f"{project.name}-{project.version}-{platform_tag()}.dmg"
    subprocess.run(
        [
            "hdiutil",
            "create",
            "-volname",
            project.title,
            "-srcfolder",
            str(app),
            "-ov",
            "-format",
            "UDZO",
            str(target),
        ],
        check=True,
    )
    return [app, target]


def package(project: Project, bundle: Path, dist: Path, work: Path, level: int = 6) -> list[Path]:
    """The platform's installers for a built bundle (``level``: gzip level of the Linux archives)."""
    if sys.platform == "win32":
        return make_windows_installer(project, bundle, dist, work)
    if sys.platform == "darwin":
        return make_macos_dmg(project, dist)
    outputs = [make_tarball(project, bundle, dist, level)]
    deb = make_deb(project, bundle, dist, work, level)
    if deb is not None:
        outputs.append(deb)
    return outputs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder (default: dist/)")
    parser.add_argument("--work", type=Path, default=ROOT / "build", help="work folder (default: build/)")
    parser.add_argument("--no-package", action="store_true", help="build the bundle only, no installers")
    parser.add_argument("--clean", action="store_true", help="empty PyInstaller's cache first")
    parser.add_argument(
        "--compress-level",
        type=int,
        default=6,
        choices=range(1, 10),
        metavar="1-9",
        help="gzip level of the Linux tarball and .deb (default 6)",
    )
    args = parser.parse_args(argv)
    project = read_project()
    dist, work = args.dist.resolve(), args.work.resolve()
    bundle = build_bundle(project, dist, work, args.clean)
    print(f"bundle: {bundle}")
    if not args.no_package:
        for output in package(project, bundle, dist, work, args.compress_level):
            print(f"installer: {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
