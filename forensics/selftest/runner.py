"""Run the whole validation suite on the bundled reference data."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import forensics
from forensics.core.timeutil import utc_now_iso
from forensics.evidence.verify import sha256_file
from forensics.selftest.check_images import container_checks, invalid_checks, listing_checks, unchanged_check
from forensics.selftest.check_pictures import filetype_checks, picture_checks
from forensics.selftest.environment import components, machine
from forensics.selftest.model import Check, ValidationRun
from forensics.selftest.reference import load_reference, reference_dir


def _fingerprint(paths: list[Path]) -> dict[Path, str]:
    out = {}
    for path in paths:
        try:
            out[path] = sha256_file(path)
        except OSError as exc:
            out[path] = f"unreadable: {exc}"
    return out


def run_selftest(
    reference_folder: Path | None = None, on_check: Callable[[Check], None] | None = None
) -> ValidationRun:
    """Every check of the bundled reference set; a failing or unreadable item never stops the run.

    ``on_check`` is called after each check (for progress output).
    """
    run = ValidationRun(
        "Custos", forensics.__version__, utc_now_iso(), machine=machine(), components=components()
    )
    reference = load_reference(reference_folder)

    def add(checks: list[Check]) -> None:
        for check in checks:
            run.checks.append(check)
            if on_check:
                on_check(check)

    files = reference.files()
    before = _fingerprint(files)
    for image in reference.images:
        add(container_checks(image))
        add(listing_checks(image))
    for invalid in reference.invalid:
        add(invalid_checks(invalid))
    for picture in reference.pictures:
        add(picture_checks(picture))
    for sample in reference.filetypes:
        add(filetype_checks(sample))
    after = _fingerprint(files)
    root = reference_folder or reference_dir()
    for path in files:
        add(
            [
                unchanged_check(
                    _relative(path, root), before[path], "Custos forensic-soundness rule", after[path]
                )
            ]
        )
    run.finished_utc = utc_now_iso()
    return run


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.name
