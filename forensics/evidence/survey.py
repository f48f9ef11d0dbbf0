"""Survey an evidence image before intake: container, header data, partitions, file systems."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from forensics.core.errors import EvidenceError
from forensics.evidence.containers import EvidenceImage, open_image
from forensics.evidence.filesystems import FileSystemProbe, candidate_offsets, probe_offset
from forensics.evidence.tsk_image import tsk_image
from forensics.evidence.volumes import VolumeLayout, read_volumes


@dataclass
class EvidenceSurvey:
    """What an image holds, as found when it is added to a case."""

    path: Path
    container: str
    segments: list[Path]
    media_size: int
    sector_size: int
    metadata: dict[str, str]
    stored_hashes: dict[str, str]
    layout: VolumeLayout
    filesystems: list[FileSystemProbe] = field(default_factory=list)

    @property
    def usable_filesystems(self) -> list[FileSystemProbe]:
        return [fs for fs in self.filesystems if fs.status == "ok"]


def survey_image(path: Path | str) -> EvidenceSurvey:
    """Open ``path`` read-only and describe it; raises EvidenceError if it cannot be opened at all."""
    image = open_image(path)
    try:
        return _survey(image)
    except (OSError, RuntimeError) as exc:  # TSK re-raises a media read error from inside its callbacks
        reason = " ".join(str(exc).split())
        raise EvidenceError(f"{path}: cannot read the {image.container} media: {reason}") from exc
    finally:
        image.close()


def _survey(image: EvidenceImage) -> EvidenceSurvey:
    if image.container == "folder":
        probe = FileSystemProbe(
            0, "ok", fs_type="logical", time_zone_note="as reported by the examiner's OS (UTC)"
        )
        return EvidenceSurvey(
            image.path.resolve(), "folder", [image.path.resolve()], 0, 0, {}, {}, VolumeLayout(None), [probe]
        )
    img = tsk_image(image)
    layout = read_volumes(img)
    media_size = int(image.media_size or 0) or int(img.get_size())
    offsets = candidate_offsets(layout.partitions, layout.vs_type)
    probes = [probe for off in offsets for probe in probe_offset(img, off, media_size)]
    return EvidenceSurvey(
        path=image.path.resolve(),
        container=image.container,
        segments=[p.resolve() for p in image.segments],
        media_size=image.media_size,
        sector_size=image.sector_size,
        metadata=dict(image.metadata),
        stored_hashes=dict(image.stored_hashes),
        layout=layout,
        filesystems=probes,
    )


def survey_dict(survey: EvidenceSurvey) -> dict:
    """The survey as plain JSON-able data (``custos evidence survey --json``, the add-evidence dialog)."""
    return {
        "ok": True,
        "path": str(survey.path),
        "container": survey.container,
        "segments": [str(p) for p in survey.segments],
        "media_size": survey.media_size,
        "sector_size": survey.sector_size,
        "header": survey.metadata,
        "stored_hashes": survey.stored_hashes,
        "volume_system": survey.layout.vs_type,
        "volume_error": survey.layout.error,
        "partitions": [
            {
                "addr": p.addr,
                "kind": p.kind,
                "offset": p.offset,
                "length": p.length,
                "description": p.description,
            }
            for p in survey.layout.partitions
        ],
        "filesystems": [
            {"offset": f.offset, "fs_type": f.fs_type, "status": f.status, "error": f.error}
            for f in survey.filesystems
        ],
    }
