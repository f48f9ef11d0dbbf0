"""The restricted image annex: thumbnails of files with findings, blurred unless the examiner chooses not.

Images come from the thumbnails stored in the case database (never from loose files). They are only ever
placed in the annex, never in the body of a report.
"""

from __future__ import annotations

import io

from PIL import Image, ImageFilter
from sqlalchemy import select
from sqlalchemy.orm import Session

from forensics.case.analysis_store import picture_cipher
from forensics.case.models_analysis import FileThumbnail
from forensics.reports.model import AnnexImage, FindingRow

BLUR_RADIUS = 12
JPEG_QUALITY = 80


def blur_jpeg(data: bytes, radius: int = BLUR_RADIUS) -> bytes:
    """A heavily blurred JPEG copy of an image (content not recognisable, layout still visible)."""
    with Image.open(io.BytesIO(data)) as image:
        blurred = image.convert("RGB").filter(ImageFilter.GaussianBlur(radius))
    out = io.BytesIO()
    blurred.save(out, format="JPEG", quality=JPEG_QUALITY)
    return out.getvalue()


def collect_annex(session: Session, findings: list[FindingRow], *, blurred: bool = True) -> list[AnnexImage]:
    """One image per file with findings (first finding number), in finding order; unreadable ones skipped."""
    first_finding: dict[int, FindingRow] = {}
    for row in findings:
        first_finding.setdefault(row.file_id, row)
    if not first_finding:
        return []
    pictures = picture_cipher(session)
    thumbs = {
        t.file_id: pictures.open("thumbnails", t.file_id, t.data) if pictures is not None else t.data
        for t in session.scalars(select(FileThumbnail).where(FileThumbnail.file_id.in_(list(first_finding))))
    }
    images = []
    for file_id, row in first_finding.items():
        data = thumbs.get(file_id)
        if data is None:
            continue
        try:
            jpeg = blur_jpeg(data) if blurred else data
        except (OSError, ValueError):
            continue
        images.append(AnnexImage(row.number, row.path, row.sha256, jpeg, blurred))
    return images
