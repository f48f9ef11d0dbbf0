"""Video and audio containers recognised from their first bytes (decides what the video task decodes).

By content only, never by the name. Containers a phone or a messenger produces: ISO BMFF (MP4, MOV with
``ftyp``, 3GP, M4A), older QuickTime files without ``ftyp``, Matroska/WebM, AVI, ASF (WMV/WMA), FLV,
MPEG transport and program streams, YUV4MPEG2, and animated GIFs (two frames or more, or a looping
extension, found in the head); audio-only containers (WAV, MP3, Ogg, FLAC, AMR, ADTS AAC) are opened for
their facts and listed as audio. Still HEIF/AVIF pictures (``ftyp`` with an image brand) are pictures.
"""

from __future__ import annotations

from forensics.analysis.signatures import HEIF_BRANDS

_QUICKTIME_ATOMS = {b"moov", b"mdat", b"wide", b"pnot"}
_MP3_SYNC = (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2", b"\xff\xfa")
_ADTS_SYNC = (b"\xff\xf1", b"\xff\xf9")
_TS_PACKET = 188
_GIF_LOOP_EXTENSIONS = (b"NETSCAPE2.0", b"ANIMEXTS1.0")


def media_container(head: bytes) -> str | None:
    """The container the head starts like (``"isobmff"``, ``"matroska"``, ``"gif"``, ``"mp3"``...) or None."""
    if head[4:8] == b"ftyp":
        return None if head[8:12] in HEIF_BRANDS else "isobmff"
    if head[4:8] in _QUICKTIME_ATOMS and int.from_bytes(head[:4], "big") not in range(2, 8):
        return "quicktime"  # an atom size of 0 (to the end) or 1 (64-bit size) is valid, 2-7 is not
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "matroska"
    if head[:4] == b"RIFF" and head[8:12] in (b"AVI ", b"AVIX"):
        return "avi"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head.startswith(b"\x30\x26\xb2\x75\x8e\x66\xcf\x11"):
        return "asf"
    if head.startswith(b"FLV\x01"):
        return "flv"
    if head.startswith(b"YUV4MPEG2 "):
        return "y4m"
    if head.startswith(b"\x00\x00\x01\xba"):
        return "mpeg-ps"
    if len(head) > 2 * _TS_PACKET and all(head[i] == 0x47 for i in (0, _TS_PACKET, 2 * _TS_PACKET)):
        return "mpeg-ts"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif" if gif_is_animated(head) else None
    if head.startswith(b"OggS"):
        return "ogg"
    if head.startswith(b"fLaC"):
        return "flac"
    if head.startswith(b"#!AMR"):
        return "amr"
    if head.startswith(b"ID3") or head[:2] in _MP3_SYNC:
        return "mp3"
    if head[:2] in _ADTS_SYNC:
        return "aac"
    return None


def _skip_sub_blocks(data: bytes, position: int) -> int:
    """The position after a chain of GIF data sub-blocks (or past the end of ``data`` when cut)."""
    while position < len(data):
        size = data[position]
        position += 1 + size
        if size == 0:
            return position
    return len(data) + 1


def gif_is_animated(head: bytes) -> bool:
    """Whether a GIF's head shows two image descriptors or a looping extension (an animation)."""
    if len(head) < 13:
        return False
    position = 13
    flags = head[10]
    if flags & 0x80:
        position += 3 * (2 ** ((flags & 0x07) + 1))
    frames = 0
    while position < len(head):
        block = head[position]
        if block == 0x21:  # extension: label, then sub-blocks
            if head[position + 2 : position + 13] in _GIF_LOOP_EXTENSIONS:
                return True
            position = _skip_sub_blocks(head, position + 2)
        elif block == 0x2C:  # image descriptor, optional local colour table, LZW size, sub-blocks
            frames += 1
            if frames >= 2:
                return True
            if position + 10 > len(head):
                return False
            local = head[position + 9]
            position += 10
            if local & 0x80:
                position += 3 * (2 ** ((local & 0x07) + 1))
            position = _skip_sub_blocks(head, position + 1)
        else:  # trailer (0x3B) or damage
            return False
    return False
