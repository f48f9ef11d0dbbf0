"""A small upright JPEG thumbnail made from the already decoded image."""

from __future__ import annotations

import io

from PIL import Image

from forensics.analysis.results import Thumbnail

# EXIF orientation -> the transpose that shows the picture upright (EXIF 2.32, tag 0x0112).
_UPRIGHT = {
    2: (Image.Transpose.FLIP_LEFT_RIGHT,),
    3: (Image.Transpose.ROTATE_180,),
    4: (Image.Transpose.FLIP_TOP_BOTTOM,),
    5: (Image.Transpose.TRANSPOSE,),
    6: (Image.Transpose.ROTATE_270,),
    7: (Image.Transpose.TRANSVERSE,),
    8: (Image.Transpose.ROTATE_90,),
}
_BACKGROUND = (255, 255, 255)
# Pillow first box-reduces by a whole factor while the picture stays at least this many times the
# thumbnail, then resamples with Lanczos: half the time of a Lanczos pass over the whole decode (a
# 1008 x 756 reduced decode to 256 px: 3.2 ms instead of 6.7 ms), a mean difference of 0.3 grey levels.
REDUCING_GAP = 1.5


def _displayable(image: Image.Image) -> Image.Image:
    """RGB or L version of any mode; transparency flattened onto white."""
    if image.mode == "P":
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, _BACKGROUND)
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        return image.convert("I").point(lambda v: v / 256).convert("L")
    if image.mode not in ("RGB", "L"):
        return image.convert("RGB")
    return image


def upright(image: Image.Image, orientation: int | None) -> Image.Image:
    """The image as it should be shown, given its EXIF orientation (1-8 or None)."""
    for step in _UPRIGHT.get(orientation or 1, ()):
        image = image.transpose(step)
    return image


def make_thumbnail(image: Image.Image, orientation: int | None, long_side: int, quality: int) -> Thumbnail:
    """A JPEG no longer than ``long_side`` on either side, upright."""
    width, height = image.size
    factor = min(1.0, long_side / max(width, height))
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    source = image if image.mode in ("RGB", "RGBA", "L", "LA") else _displayable(image)
    small = (
        source.resize(size, Image.Resampling.LANCZOS, reducing_gap=REDUCING_GAP) if factor < 1.0 else source
    )
    small = upright(_displayable(small), orientation)
    buffer = io.BytesIO()
    small.save(buffer, format="JPEG", quality=quality, optimize=True)
    return Thumbnail(data=buffer.getvalue(), width=small.size[0], height=small.size[1])
