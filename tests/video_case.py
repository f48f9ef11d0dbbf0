"""Evidence folders of videos for the ingest, CLI, report and GUI tests, built at test time.

Everything comes from the real clips and photos in ``tests/data`` (Meta's sample clips, BSD-3-Clause;
ExifRead's photos; notices in their folders) and Debian's ``ffmpeg`` (the tests are skipped without it),
written into the test's temporary folder: never by hand, never committed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from PIL import Image

from forensics.analysis.perceptual import pdq_with_dihedral
from tests.analysis.video_builders import (
    CHAIR,
    PATTERN,
    REFERENCE,
    STILL,
    animated_gif,
    audio_only_mp3,
    ffmpeg,
    patch_box_field,
    still_in_video,
    y4m_from_clip,
    zero_delay_gif,
)

# When the photo is shown in still_in_video.mp4 (seconds from the start): 3, 4 and 5 s are sampled.
STILL_SECONDS = (3.0, 4.0, 5.0)
# Meta's reference hashes of the two families: a chair list and a pattern list.
CHAIR_LIST = REFERENCE / "chair-22-sd-sepia-bar.txt"
PATTERN_LIST = REFERENCE / "pattern-hd-no-bar.txt"


def build_video_evidence(folder: Path) -> Path:
    """``clips/`` (the two sample clips, a re-encoded smaller copy of the chair clip, the photo cut into a
    video), ``media/`` (an animated GIF, an MP3 with no picture) and ``docs/note.txt``."""
    clips, media, docs = folder / "clips", folder / "media", folder / "docs"
    for path in (clips, media, docs):
        path.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(CHAIR, clips / CHAIR.name)
    shutil.copyfile(PATTERN, clips / PATTERN.name)
    ffmpeg(
        "-i", str(CHAIR), "-vf", "scale=320:480", "-c:v", "libx264", "-crf", "28", "-an",
        str(clips / "chair-copy-small.mp4"),
        cwd=folder,
    )  # fmt: skip
    still_in_video(clips, STILL)
    animated_gif(media)
    audio_only_mp3(media)
    (docs / "note.txt").write_text("not a video\n", encoding="utf-8")
    return folder


def build_hostile_videos(folder: Path) -> Path:
    """Bad videos beside one good clip: truncated, a corrupt middle, a header claiming 100,000 x 100,000
    pixels, one claiming 10^9 frames, a GIF whose frames all have a zero delay (no frame rate)."""
    folder.mkdir(parents=True, exist_ok=True)
    clip = PATTERN.read_bytes()
    middle = len(clip) // 2
    stts = clip.find(b"stts")
    billion = bytearray(clip)
    billion[stts + 12 : stts + 16] = (10**9).to_bytes(4, "big")  # the first stts entry: 10^9 samples
    (folder / "good.mp4").write_bytes(clip)
    (folder / "truncated.mp4").write_bytes(clip[:middle])
    corrupt = (
        clip[:middle] + bytes(b ^ 0x5A for b in clip[middle : middle + 60_000]) + clip[middle + 60_000 :]
    )
    (folder / "corrupt-middle.mp4").write_bytes(corrupt)
    (folder / "billion-frames.mp4").write_bytes(bytes(billion))
    (folder / "billion-samples.mp4").write_bytes(patch_box_field(clip, b"stsz", 8, 10**9))
    huge = y4m_from_clip(clip).replace(b"W96 H144", b"W100000 H100000", 1)
    (folder / "huge-header.y4m").write_bytes(huge)
    (folder / "gif-source").mkdir()
    gif = animated_gif(folder / "gif-source")
    (folder / "zero-delay.gif").write_bytes(zero_delay_gif(gif.read_bytes()))
    shutil.rmtree(folder / "gif-source")
    return folder


def still_pdq_list(target: Path) -> Path:
    """A PDQ list (reference hasher format) holding the photo cut into ``still_in_video.mp4``."""
    with Image.open(STILL) as picture:
        digest, quality, _ = pdq_with_dihedral(picture.convert("RGB"))
    target.write_text(f"{digest},{quality},{STILL.name}\n", encoding="utf-8")
    return target
