"""Analysis results per file: type and signature, EXIF, perceptual hashes, thumbnails.

One row per analysed file in each table, keyed by ``file_id`` (1:1 with ``files``). Column names of
``file_analysis`` that the hash-set matcher reads are a contract: ``file_id, phash, dhash, pdq,
pdq_quality, pdq_dihedral``. Thumbnails live here as BLOBs, never as loose image files.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from forensics.case.base import CaseBase


class FileAnalysis(CaseBase):
    """Type by content, extension verdict, entropy, decoded-image facts and perceptual hashes."""

    __tablename__ = "file_analysis"

    file_id: Mapped[int] = mapped_column(ForeignKey("files.id"), primary_key=True)
    mime: Mapped[str | None] = mapped_column(String(200), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    # image | video | audio | document | archive | executable | database | email | text | encrypted | other
    category: Mapped[str | None] = mapped_column(String(20), index=True)
    # True: the extension contradicts the content; False: agrees; null: no judgement possible.
    extension_mismatch: Mapped[bool | None] = mapped_column(Boolean, index=True)
    mismatch_detail: Mapped[str | None] = mapped_column(Text)
    # Shannon entropy of the head bytes, bits per byte.
    entropy: Mapped[float | None] = mapped_column(Float)
    image_format: Mapped[str | None] = mapped_column(String(20))
    image_mode: Mapped[str | None] = mapped_column(String(20))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    # 1 = full decode; 2/4/8 = JPEG DCT-scaled decode at 1/n per side.
    decode_scale: Mapped[int | None] = mapped_column(Integer)
    truncated: Mapped[bool] = mapped_column(Boolean, default=False)
    too_large: Mapped[bool] = mapped_column(Boolean, default=False)
    phash: Mapped[str | None] = mapped_column(String(16))
    dhash: Mapped[str | None] = mapped_column(String(16))
    pdq: Mapped[str | None] = mapped_column(String(64))
    pdq_quality: Mapped[int | None] = mapped_column(Integer)
    # 8 x 32 bytes, pdqhash.compute_dihedral order.
    pdq_dihedral: Mapped[bytes | None] = mapped_column(LargeBinary)
    too_small: Mapped[bool] = mapped_column(Boolean, default=False)
    blank: Mapped[bool] = mapped_column(Boolean, default=False)
    low_quality: Mapped[bool] = mapped_column(Boolean, default=False)
    # JSON list of warning strings (broken EXIF, truncated image, ...); null when none.
    warnings_json: Mapped[str | None] = mapped_column(Text)


class FileExif(CaseBase):
    """EXIF fields as real columns, for filters such as "all with GPS" or "all from camera serial X"."""

    __tablename__ = "file_exif"

    file_id: Mapped[int] = mapped_column(ForeignKey("files.id"), primary_key=True)
    make: Mapped[str | None] = mapped_column(Text)
    model: Mapped[str | None] = mapped_column(Text)
    body_serial: Mapped[str | None] = mapped_column(Text, index=True)
    software: Mapped[str | None] = mapped_column(Text)
    # Camera-local ISO 8601 time as recorded; offset ("+01:00") only when the file records one.
    datetime_original: Mapped[str | None] = mapped_column(String(40), index=True)
    offset: Mapped[str | None] = mapped_column(String(8))
    orientation: Mapped[int | None] = mapped_column(Integer)
    # Signed decimal degrees (WGS 84 as written by the device); metres for altitude.
    gps_lat: Mapped[float | None] = mapped_column(Float)
    gps_lon: Mapped[float | None] = mapped_column(Float)
    gps_alt: Mapped[float | None] = mapped_column(Float)
    gps_time: Mapped[str | None] = mapped_column(String(40))
    has_thumbnail: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        Index("ix_file_exif_make_model", "make", "model"),
        Index("ix_file_exif_gps", "gps_lat", "gps_lon"),
    )


class FileThumbnail(CaseBase):
    """A small upright JPEG of an image, inside the database (never a loose file on disk)."""

    __tablename__ = "thumbnails"

    file_id: Mapped[int] = mapped_column(ForeignKey("files.id"), primary_key=True)
    mime: Mapped[str] = mapped_column(String(40))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
