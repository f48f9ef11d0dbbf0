"""Text clean-up shared by every report output."""

from __future__ import annotations


def printable_text(text: str) -> str:
    """Text safe for every output: undecodable bytes (lone surrogates) and C0 control characters other
    than tab, LF and CR become visible ``\\x..``/``\\udc..`` escapes, so a hostile file name cannot break
    an XML document or an encoder."""
    if text.isprintable():
        return text
    out = []
    for ch in text:
        code = ord(ch)
        if (code < 0x20 and ch not in "\t\n\r") or 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF):
            out.append(f"\\x{code:02x}" if code < 0x20 else f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)
