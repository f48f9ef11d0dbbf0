"""Scripts that build the video fixtures of the video tests at test time (never by hand, never committed).

Clips come from Debian's ``ffmpeg`` (skipped when it is absent) or from the real sample clips by patching
their bytes; everything is built in memory or in the test's temporary folder.
"""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
from pathlib import Path

import av
import pytest

DATA = Path(__file__).resolve().parents[1] / "data"
TE = DATA / "ThreatExchange"
CLIPS = TE / "videos"
REFERENCE = TE / "vpdq-sample-hashes"
CHAIR = CLIPS / "chair-20-sd-bar.mp4"
PATTERN = CLIPS / "pattern-sd-grey-bar.mp4"
STILL = DATA / "exif-py" / "jpg" / "gps" / "DSCN0010.jpg"


def ffmpeg(*args: str, cwd: Path) -> None:
    """Run Debian's ffmpeg quietly (the test is skipped when it is not installed)."""
    binary = shutil.which("ffmpeg")
    if binary is None:
        pytest.skip("ffmpeg (Debian package) is not installed")
    subprocess.run([binary, "-v", "error", "-y", *args], cwd=cwd, check=True, timeout=120)


def still_in_video(folder: Path, still: Path, before_s: int = 3, still_s: int = 3, after_s: int = 2) -> Path:
    """An H.264 MP4: ``before_s`` of a test pattern, ``still_s`` of the photo, ``after_s`` of a fractal."""
    out = folder / "still_in_video.mp4"
    size = "640x480"
    ffmpeg(
        "-f", "lavfi", "-i", f"testsrc2=size={size}:rate=30:duration={before_s}",
        "-loop", "1", "-framerate", "30", "-t", str(still_s), "-i", str(still),
        "-f", "lavfi", "-i", f"mandelbrot=size={size}:rate=30", "-t", str(before_s + still_s + after_s),
        "-filter_complex",
        f"[1:v]scale={size},setsar=1,format=yuv420p[s];[2:v]trim=duration={after_s},format=yuv420p[m];"
        "[0:v]format=yuv420p[t];[t][s][m]concat=n=3:v=1:a=0[v]",
        "-map", "[v]", "-c:v", "libx264", "-pix_fmt", "yuv420p", str(out),
        cwd=folder,
    )  # fmt: skip
    return out


def phone_like_mp4(folder: Path) -> Path:
    """An MP4 with the creation time and ISO 6709 location a phone writes, and an audio track."""
    out = folder / "phone.mp4"
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30:duration=3",
        "-f", "lavfi", "-i", "sine=duration=3",
        "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac",
        "-metadata", "creation_time=2021-06-01T10:20:30.000000Z",
        "-metadata", "location=+52.3667+004.8945+001.500/",
        str(out),
        cwd=folder,
    )  # fmt: skip
    return out


def audio_only_mp3(folder: Path, with_cover: Path | None = None) -> Path:
    """An MP3 (optionally with a cover picture, which FFmpeg shows as a video stream)."""
    out = folder / "audio.mp3"
    args = ["-f", "lavfi", "-i", "sine=duration=2"]
    if with_cover is not None:
        args += [
            "-i",
            str(with_cover),
            "-map",
            "0",
            "-map",
            "1",
            "-c:v",
            "mjpeg",
            "-disposition:v",
            "attached_pic",
        ]
    ffmpeg(*args, "-c:a", "libmp3lame", str(out), cwd=folder)
    return out


def animated_gif(folder: Path, rate: int = 5) -> Path:
    out = folder / "anim.gif"
    ffmpeg("-f", "lavfi", "-i", f"testsrc2=size=64x48:rate={rate}:duration=2", str(out), cwd=folder)
    return out


def zero_delay_gif(gif: bytes) -> bytes:
    """The GIF with every frame delay set to 0 (Graphic Control Extensions patched): no frame rate at all."""
    data = bytearray(gif)
    position = data.find(b"\x21\xf9\x04")
    patched = 0
    while position >= 0:
        struct.pack_into("<H", data, position + 4, 0)
        patched += 1
        position = data.find(b"\x21\xf9\x04", position + 1)
    assert patched, "no graphic control extension to patch"
    return bytes(data)


def patch_box_field(data: bytes, box: bytes, offset: int, value: int) -> bytes:
    """Every ``box`` of an MP4 with the big-endian uint32 ``offset`` bytes after its type replaced."""
    out = bytearray(data)
    position = out.find(box)
    assert position >= 0, f"no {box!r} box"
    while position >= 0:
        struct.pack_into(">I", out, position + 4 + offset, value)
        position = out.find(box, position + 1)
    return bytes(out)


def y4m_from_clip(clip: bytes, frames: int = 6, size: tuple[int, int] = (96, 144)) -> bytes:
    """A raw YUV4MPEG2 stream of the clip's first frames (its header is plain text, easy to patch)."""
    width, height = size
    planes = []
    with av.open(io.BytesIO(clip)) as container:
        for number, frame in enumerate(container.decode(video=0)):
            planes.append(frame.reformat(width, height, "yuv420p").to_ndarray().tobytes())
            if number + 1 == frames:
                break
    header = f"YUV4MPEG2 W{width} H{height} F30:1 Ip A1:1 C420jpeg\n".encode()
    return header + b"".join(b"FRAME\n" + plane for plane in planes)
