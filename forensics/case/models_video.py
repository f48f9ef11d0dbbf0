"""Videos in the case: container facts, vPDQ frame hashes, frame strips, video findings' basis, copy stacks.

``file_video`` (1:1 with ``files``) holds what the container says and how the frames were sampled;
``video_frames`` one row per sampled frame and view (the whole frame, as Meta's vPDQ hashes it, and the
picture inside black bars, kept apart); ``video_strip`` the evenly spaced frames the gallery shows, as
JPEG bytes inside the database (never loose files). A video finding keeps its basis (frames and shares
matched, where in the video) in ``finding_video``; ``video_copies`` stacks a case's copies of one clip.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from forensics.case.base import CaseBase


class FileVideo(CaseBase):
    """What a video (or audio-only) container holds and how its frames were hashed."""

    __tablename__ = "file_video"

    file_id: Mapped[int] = mapped_column(ForeignKey("files.id"), primary_key=True)
    # video | audio | none (a container with neither stream)
    kind: Mapped[str] = mapped_column(String(10), index=True)
    container: Mapped[str | None] = mapped_column(String(100))  # FFmpeg's demuxer name
    duration_s: Mapped[float | None] = mapped_column(Float)
    frame_rate: Mapped[float | None] = mapped_column(Float)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    video_codec: Mapped[str | None] = mapped_column(String(40))
    pixel_format: Mapped[str | None] = mapped_column(String(40))
    audio_codecs: Mapped[str | None] = mapped_column(Text)  # JSON list
    declared_frames: Mapped[int | None] = mapped_column(BigInteger)
    frames_decoded: Mapped[int] = mapped_column(Integer, default=0)
    frames_hashed: Mapped[int] = mapped_column(Integer, default=0)  # whole-frame hashes (vPDQ)
    bit_rate: Mapped[int | None] = mapped_column(BigInteger)
    # ISO 8601 UTC only when the tag records a zone; the tag as written and its name always.
    creation_time_utc: Mapped[str | None] = mapped_column(String(40))
    creation_time_written: Mapped[str | None] = mapped_column(String(64))
    creation_time_tag: Mapped[str | None] = mapped_column(String(100))
    gps_lat: Mapped[float | None] = mapped_column(Float)
    gps_lon: Mapped[float | None] = mapped_column(Float)
    gps_alt: Mapped[float | None] = mapped_column(Float)
    gps_tag: Mapped[str | None] = mapped_column(String(100))
    hash_width: Mapped[int | None] = mapped_column(Integer)
    hash_height: Mapped[int | None] = mapped_column(Integer)
    sample_fps: Mapped[float | None] = mapped_column(Float)
    keyframes: Mapped[bool] = mapped_column(Boolean, default=False)
    # False when decoding stopped early (truncated or corrupt data, a limit, a false header).
    complete: Mapped[bool] = mapped_column(Boolean, default=True)
    # JSON list of the video task's warnings; null when none.
    warnings_json: Mapped[str | None] = mapped_column(Text)


class VideoFrameHash(CaseBase):
    """The PDQ hash of one sampled frame (``inside_bars``: of the picture inside its black bars)."""

    __tablename__ = "video_frames"

    file_id: Mapped[int] = mapped_column(ForeignKey("files.id"), primary_key=True)
    frame_number: Mapped[int] = mapped_column(Integer, primary_key=True)
    inside_bars: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    timestamp_s: Mapped[float] = mapped_column(Float)
    quality: Mapped[int] = mapped_column(Integer)
    pdq: Mapped[bytes] = mapped_column(LargeBinary(32))


class VideoStripFrame(CaseBase):
    """One frame of a video's strip: a small upright JPEG, inside the database only."""

    __tablename__ = "video_strip"

    file_id: Mapped[int] = mapped_column(ForeignKey("files.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    frame_number: Mapped[int] = mapped_column(Integer)
    timestamp_s: Mapped[float] = mapped_column(Float)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    mime: Mapped[str] = mapped_column(String(40))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class FindingVideo(CaseBase):
    """Why a video finding was made: how many frames matched, both shares, the rule, and where."""

    __tablename__ = "finding_video"

    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id"), primary_key=True)
    # vpdq: the video against a listed video (Meta's rule); frame: sampled frames against a picture entry
    basis: Mapped[str] = mapped_column(String(10))
    # frames: the whole frames (Meta's hashes); inside_bars: the pictures inside the video's black bars
    view: Mapped[str] = mapped_column(String(20))
    query_frames: Mapped[int] = mapped_column(Integer)  # the case video's unique frames compared
    query_matched: Mapped[int] = mapped_column(Integer)
    listed_frames: Mapped[int | None] = mapped_column(Integer)  # the listed video's (vpdq only)
    listed_matched: Mapped[int | None] = mapped_column(Integer)
    query_percent: Mapped[float] = mapped_column(Float)
    listed_percent: Mapped[float | None] = mapped_column(Float)
    # The rule in force (vpdq: Meta's shares in percent; quality: the minimum frame quality compared).
    listed_share: Mapped[float | None] = mapped_column(Float)
    query_share: Mapped[float | None] = mapped_column(Float)
    quality: Mapped[int] = mapped_column(Integer)
    listed_video: Mapped[str | None] = mapped_column(Text)  # the list's name of the video (media id)
    first_timestamp_s: Mapped[float | None] = mapped_column(Float)  # where the strip opens
    # JSON list of matched frames, in time order: [frame, timestamp_s, listed frame, listed timestamp_s,
    # distance] (vpdq) or [frame, timestamp_s, distance] (frame).
    frames_json: Mapped[str] = mapped_column(Text)


class VideoCopy(CaseBase):
    """A video of the case that is a copy of another (Meta's rule both ways): one stack per group."""

    __tablename__ = "video_copies"

    file_id: Mapped[int] = mapped_column(ForeignKey("files.id"), primary_key=True)
    # The smallest file id of the group: every copy of one clip carries the same value.
    group_id: Mapped[int] = mapped_column(Integer, index=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("match_runs.id"))
