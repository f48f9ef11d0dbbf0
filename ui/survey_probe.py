"""Child-process survey of an image for the add-evidence dialog: prints one JSON object on stdout.

Run as ``python -m ui.survey_probe PATH``. Native container and file-system parsers run here, not in
the GUI process, so a hostile image cannot take the examiner's window down with it.
"""

from __future__ import annotations

import json
import sys

from forensics.core.errors import CustosError
from forensics.evidence.survey import EvidenceSurvey, survey_image


def survey_dict(survey: EvidenceSurvey) -> dict:
    """The survey as plain JSON-able data."""
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


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(json.dumps({"ok": False, "error": "usage: survey_probe PATH"}))
        return 2
    try:
        result = survey_dict(survey_image(argv[0]))
    except (CustosError, OSError) as exc:
        result = {"ok": False, "error": str(exc)}
    print(json.dumps(result, default=str))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
