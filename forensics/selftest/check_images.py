"""Checks on disk images: container stored hashes, media hash, file-system listing and file hashes.

Everything goes through the engine's own code paths: ``open_image`` and ``hash_media`` (acquisition
verification), ``survey_image`` (file-system detection), ``FileSystemWalker`` (enumeration) and the
ingest worker's ``process_item`` (one-pass hashing of each file's content).
"""

from __future__ import annotations

from forensics.evidence.containers import open_image
from forensics.evidence.locator import FileLocator
from forensics.evidence.source import EvidenceSource
from forensics.evidence.survey import survey_image
from forensics.evidence.verify import hash_media, sha256_file
from forensics.evidence.walker import FileEntry
from forensics.pipeline.tasks import TaskOptions, WorkItem, process_item
from forensics.selftest.model import Check
from forensics.selftest.reference import ExpectedEntry, InvalidImage, ReferenceImage

# TSK name-type letters of the published listings -> the kinds the engine records.
KIND_BY_LETTER = {"r": "file", "d": "directory", "l": "link", "V": "virtual-dir"}
ITEM = "SELFTEST"


def _check(image: ReferenceImage, area: str, what: str, expected: object, observed: object) -> Check:
    return Check(area, image.name, what, str(expected), str(observed), expected == observed, image.source)


def _error_check(
    subject: str, area: str, what: str, expected: object, exc: BaseException, source: str
) -> Check:
    return Check(area, subject, what, str(expected), f"error: {exc}", False, source)


def container_checks(image: ReferenceImage) -> list[Check]:
    """Stored (acquisition) hash read from the container, the media size and the media's own MD5."""
    checks: list[Check] = []
    try:
        with open_image(image.path) as opened:
            if image.stored_md5:
                stored = opened.stored_hashes.get("md5", "none stored")
                checks.append(
                    _check(image, "stored hash", "MD5 stored in the E01 header", image.stored_md5, stored)
                )
            if image.media_size is not None:
                checks.append(
                    _check(image, "media", "media size (bytes)", image.media_size, opened.media_size)
                )
        if image.media_md5:
            computed = hash_media(image.path).md5
            checks.append(_check(image, "media hash", "MD5 of the whole media", image.media_md5, computed))
    except Exception as exc:  # a reference image that cannot be read is a failed check, not a crash
        checks.append(
            _error_check(image.name, "media", "open the image read-only", "opens", exc, image.source)
        )
    return checks


def describe_entry(inode: int | None, kind: str | None, size: int | None, deleted: bool) -> str:
    """One listing row in words, the same way for published and observed rows."""
    if inode is None:
        return "deleted name, no metadata" if deleted else "no metadata"
    state = "deleted " if deleted else ""
    return f"{state}{kind}, inode {inode}, {size} bytes"


def _entry_summary(entry: FileEntry | None) -> str:
    if entry is None:
        return "not listed"
    if not entry.has_metadata:
        return describe_entry(None, None, None, entry.deleted)
    return describe_entry(entry.inode, entry.kind, entry.size, entry.deleted)


def _expected_summary(want: ExpectedEntry) -> str:
    if want.deleted:
        return describe_entry(None, None, None, True)
    return describe_entry(want.inode, KIND_BY_LETTER[want.kind or ""], want.size, False)


def _content_hashes(source: EvidenceSource, offset: int, entry: FileEntry) -> tuple[str | None, str | None]:
    locator = FileLocator(ITEM, offset, entry.inode, entry.attr_type, entry.attr_id, entry.stream, entry.path)
    result = process_item(source, WorkItem(0, locator.to_dict(), entry.name, entry.size or 0), TaskOptions())
    if result.status != "done":
        raise OSError(result.error or "read failed")
    return result.md5, result.sha1


def listing_checks(image: ReferenceImage) -> list[Check]:
    """The published listing row by row, and the published MD5/SHA-1 of each file's content."""
    checks: list[Check] = []
    try:
        survey = survey_image(image.path)
        usable = survey.usable_filesystems
        found = ", ".join(str(probe.fs_type) for probe in usable) or "none"
        checks.append(_check(image, "file system", "file system found", image.fs_type, found))
        if not usable:
            return checks
        probe = usable[0]
        with EvidenceSource(image.path) as source:
            walker = source.walker(probe.offset, probe.fs_type or "")
            listed = {entry.path: entry for entry in walker.walk()}
            for want in image.files:
                got = listed.get(want.path)
                checks.append(
                    _check(image, "listing", want.path, _expected_summary(want), _entry_summary(got))
                )
                for algorithm in ("md5", "sha1"):
                    expected = getattr(want, algorithm)
                    if not expected:
                        continue
                    observed = (
                        "not listed"
                        if got is None
                        else _content_hashes(source, probe.offset, got)[0 if algorithm == "md5" else 1]
                    )
                    checks.append(
                        _check(image, "file hash", f"{algorithm.upper()} of {want.path}", expected, observed)
                    )
    except Exception as exc:
        checks.append(
            _error_check(image.name, "listing", "list the file system", "a listing", exc, image.source)
        )
    return checks


def invalid_checks(invalid: InvalidImage) -> list[Check]:
    """A file that is no image must be refused with a clear message, not crash the run."""
    try:
        survey = survey_image(invalid.path)
        problems = [probe.error or probe.status for probe in survey.filesystems if probe.status != "ok"]
        observed = "; ".join(str(p) for p in problems) if problems else "accepted as an image"
        passed = not survey.usable_filesystems and invalid.error.lower() in observed.lower()
    except Exception as exc:
        observed = str(exc)
        passed = invalid.error.lower() in observed.lower()
    return [
        Check(
            "negative",
            invalid.name,
            "refused with the published message",
            invalid.error,
            observed,
            passed,
            invalid.source,
        )
    ]


def unchanged_check(subject: str, before: str, path_source: str, after: str) -> Check:
    """Evidence is read-only: the reference file's SHA-256 after the checks equals the one before."""
    return Check(
        "read-only",
        subject,
        "SHA-256 of the file before and after",
        before,
        after,
        before == after,
        path_source,
    )


__all__ = ["container_checks", "invalid_checks", "listing_checks", "sha256_file", "unchanged_check"]
