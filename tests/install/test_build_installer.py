"""build_installer.py without a build: project metadata, the generated spec and the libmagic runtime hook."""

from __future__ import annotations

import platform
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import build_installer


def test_name_and_version_come_from_pyproject() -> None:
    table = tomllib.loads((build_installer.ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    project = build_installer.read_project()
    assert (project.name, project.version) == (table["name"], table["version"])


def test_spec_bundles_resources_migrations_libmagic_and_both_executables(tmp_path: Path) -> None:
    project = build_installer.read_project()
    spec = build_installer.spec_text(project, tmp_path)
    compile(spec, "custos.spec", "exec")  # valid Python for PyInstaller
    library, database = build_installer.find_libmagic()
    for needed in (
        '"/resources", "resources"',
        '"/forensics/case/migrations", "forensics/case/migrations"',
        repr(str(library)),
        repr(str(database)),
        "pyewf",
        "pyqcow",
        "pyvhdi",
        "pyvmdk",
        "pytsk3",
        f"name={project.name!r}",
        f"name={project.name + '-gui'!r}",
        "COLLECT",
    ):
        assert needed in spec, needed
    assert "multiprocessing.freeze_support()" in (tmp_path / "custos_entry.py").read_text(encoding="utf-8")
    assert database.name == "magic.mgc" and library.is_file()


def test_runtime_hook_points_python_magic_at_the_bundled_copy(tmp_path: Path) -> None:
    """Run the hook as the frozen app would (``sys._MEIPASS`` set) and ask python-magic what it loaded."""
    library, database = build_installer.find_libmagic()
    bundled = tmp_path / "libmagic"
    bundled.mkdir()
    shutil.copy(library, bundled / library.name)
    shutil.copy(database, bundled / "magic.mgc")
    hook = tmp_path / "hook.py"
    hook.write_text(build_installer.RUNTIME_HOOK, encoding="utf-8")
    probe = (
        f"import sys, os, ctypes.util; sys._MEIPASS = {str(tmp_path)!r}; exec(open({str(hook)!r}).read()); "
        "import magic; print(os.environ['MAGIC']); print(ctypes.util.find_library('magic')); "
        "print(magic.from_buffer(b'{\"a\": 1}'))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    magic_env, found, description = out.splitlines()
    assert magic_env == str(bundled / "magic.mgc")
    assert found == str(bundled / library.name)
    assert description == "JSON text data"  # the bundled database answers


def test_platform_tag_names_system_and_machine() -> None:
    tag = build_installer.platform_tag()
    assert tag.startswith(("linux-", "windows-", "macos-")) and tag.endswith(platform.machine().lower())
