"""What a phone extraction is, before it becomes an evidence item: format, platform, device, encryption,
the hashes of its file, and (when cheap, or when the password is given) how many members it lists.

The extraction's own file (the zip, tar, ``.ab``, UFDR; for a ``.ufd``, the dump it points to) is
hashed at intake as a disk image is hashed at verification: MD5, SHA-1 and SHA-256 in one read-only
pass, so that a later verification shows the file unchanged.  A folder (iOS backup, extracted tree)
has no single file to hash.  A password, when given, is checked here by unwrapping the keys in memory:
a wrong one raises :class:`WrongPassword` before anything is recorded; the keys are dropped after.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from forensics.core.hashing import Digests, MultiHasher
from forensics.evidence.extractions.detect import Detection, detect_extraction
from forensics.evidence.extractions.extraction import Extraction, unlock
from forensics.evidence.extractions.folder_files import open_readonly
from forensics.evidence.extractions.ios_keybag import ProgressCallback

READ_SIZE = 8 * 1024 * 1024
# Formats whose member list is read at intake without decoding the whole extraction.
CHEAP_LISTING = frozenset({"ffs-zip", "ffs-folder", "ios-backup", "ufdr"})

ByteProgress = Callable[[int, int], None]


@dataclass
class ExtractionSurvey:
    """A detected extraction as intake records it (no secret in it)."""

    path: Path
    detection: Detection  # as detected at ``path`` (for a .ufd: the .ufd, its dump in ``dump``)
    media_file: Path | None  # the file holding the extraction's bytes; None for a folder
    media_size: int | None
    digests: Digests | None  # of ``media_file``, computed at intake
    decrypted: bool = False  # a password was given and opened the extraction
    members: int | None = None  # members listed at intake (None: counted by the ingest)
    warnings: list[str] = field(default_factory=list)

    @property
    def target(self) -> Detection:
        """The detection of the extraction's own data (the dump of a .ufd)."""
        return (
            self.detection.dump if self.detection.format == "ufd" and self.detection.dump else self.detection
        )

    @property
    def format(self) -> str:
        return self.target.format

    @property
    def encrypted(self) -> bool:
        return self.target.encrypted

    @property
    def stated_hashes(self) -> dict[str, str]:
        """Hashes of the dump that a .ufd states (checked against ``digests``)."""
        return dict(self.detection.expected_hashes)

    @property
    def segments(self) -> list[Path]:
        files = [self.path]
        if self.media_file is not None and self.media_file != self.path:
            files.append(self.media_file)
        return files

    def metadata(self) -> dict[str, Any]:
        """The facts stored with the evidence row and signed in the intake entry (JSON-able)."""
        target = self.target
        facts: dict[str, Any] = {
            "format": target.format,
            "description": self.detection.description,
            "platform": target.platform,
            "root_prefix": target.root_prefix,
            "compression": target.compression,
            "encrypted": target.encrypted,
            "device_info": dict(self.detection.device_info or target.device_info),
            "media_file": str(self.media_file) if self.media_file else None,
            "members_at_intake": self.members,
            "password_checked": self.decrypted,
        }
        if self.detection.format == "ufd":
            facts["ufd"] = str(self.path)
            facts["ufd_stated_hashes"] = self.stated_hashes
        if self.digests is not None:
            facts["intake_hashes"] = {
                "md5": self.digests.md5,
                "sha1": self.digests.sha1,
                "sha256": self.digests.sha256,
                "bytes": self.digests.size,
            }
        return facts


def hash_file(path: Path, progress: ByteProgress | None = None) -> Digests:
    """MD5, SHA-1, SHA-256 of a file, read-only, in 8 MiB pieces."""
    hasher = MultiHasher(parallel=True)
    total = path.stat().st_size
    with open_readonly(path) as handle:
        while chunk := handle.read(READ_SIZE):
            hasher.update(chunk)
            if progress:
                progress(hasher.size, total)
    return hasher.digests()


def survey_extraction(
    path: Path | str,
    password: str | None = None,
    *,
    unlock_progress: ProgressCallback | None = None,
    hash_progress: ByteProgress | None = None,
    hashes: bool = True,
) -> ExtractionSurvey | None:
    """Survey ``path`` as a phone extraction; None when it is not one (then it is an image or a folder).

    ``hashes``: hash the extraction's file (intake does; a quick look before intake need not).

    Raises :class:`ExtractionError` for a damaged or hostile extraction (whose index, listed here for
    the formats that have one, cannot be read) and :class:`WrongPassword` for a password that does not
    open it.
    """
    path = Path(path).resolve()
    detection = detect_extraction(path)
    if detection is None:
        return None
    target = detection.dump if detection.format == "ufd" and detection.dump else detection
    media_file = None if target.path.is_dir() else target.path
    secrets = None
    if target.encrypted and password is not None:
        secrets = unlock(detection, password, unlock_progress)
    survey = ExtractionSurvey(
        path=path,
        detection=detection,
        media_file=media_file,
        media_size=media_file.stat().st_size if media_file else None,
        digests=hash_file(media_file, hash_progress) if media_file and hashes else None,
        decrypted=secrets is not None,
    )
    if target.format in CHEAP_LISTING and (not target.encrypted or secrets is not None):
        survey.members = _count_members(detection, secrets)
    for algorithm, stated in survey.stated_hashes.items():
        computed = getattr(survey.digests, algorithm, None) if survey.digests else None
        if computed and computed != stated:
            survey.warnings.append(
                f"{target.path.name}: {algorithm.upper()} {computed} differs from the .ufd's {stated}"
            )
    return survey


def _count_members(detection: Detection, secrets: Any) -> int:
    """Members listed (an index that cannot be read, e.g. a hostile report.xml, refuses the intake)."""
    with Extraction(detection, secrets) as extraction:
        return sum(1 for _member in extraction.members())
