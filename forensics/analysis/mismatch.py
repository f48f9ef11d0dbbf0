"""Extension mismatch: does the file name's extension contradict what the content is?

Rules (documented in docs/analysis.md, data in resources/filetypes/filetypes.toml):
1. Neutral suffixes (.bak, .tmp, .part, ...) are stripped first; no extension left: no judgement.
2. Recognised specific content: agrees when the extension is listed for its type or its family
   (zip, ole, isobmff, riff, tiff, ogg), else it is a mismatch (a JPEG named .dat).
3. Text content: a mismatch only when the extension belongs to a type with a signature (text named .jpg).
4. Unrecognised content (application/octet-stream, empty) or a type missing from the table: a mismatch
   only when the extension belongs to a type with a signature that is not this content (random
   data named .jpg); otherwise no judgement.
"""

from __future__ import annotations

from dataclasses import dataclass

from forensics.analysis.filetypes_table import FileTypeTable


@dataclass(frozen=True)
class MismatchVerdict:
    """``mismatch`` is True/False, or None when the name and content allow no judgement."""

    mismatch: bool | None
    detail: str | None


def judged_extension(name: str, table: FileTypeTable) -> str | None:
    """The extension that makes a claim about the content, after stripping neutral suffixes."""
    parts = name.lower().rsplit("/", 1)[-1].split(".")
    if parts and parts[0] == "":  # dot-files such as ".bashrc" have no extension
        parts = parts[1:]
    while len(parts) > 1 and parts[-1] in table.neutral_suffixes:
        parts.pop()
    if len(parts) < 2 or not parts[-1]:
        return None
    return parts[-1]


def _claimed_signature_type(ext: str, table: FileTypeTable) -> str | None:
    """The MIME type a strong extension claims (e.g. "jpg" -> "image/jpeg"), if any."""
    if ext in table.weak_extensions:
        return None
    entries = table.signature_extensions.get(ext)
    return entries[0].mimes[0] if entries else None


def judge_extension(name: str, mime: str | None, table: FileTypeTable) -> MismatchVerdict:
    """Apply the mismatch rules to a file name and its libmagic MIME type."""
    ext = judged_extension(name, table)
    if ext is None:
        return MismatchVerdict(None, None)
    mime = (mime or "").lower()
    entry = table.entry(mime)
    if mime and mime not in table.generic_mimes and not table.is_text_mime(mime) and entry is not None:
        accepted = table.accepted_extensions(entry)
        if ext in accepted:
            return MismatchVerdict(False, None)
        expected = ", ".join(f".{e}" for e in entry.extensions[:5]) or "none listed"
        return MismatchVerdict(True, f"content is {mime} but the extension is .{ext} (expected {expected})")
    if table.is_text_mime(mime):
        claimed = _claimed_signature_type(ext, table)
        if claimed and (entry is None or ext not in table.accepted_extensions(entry)):
            return MismatchVerdict(True, f"content is text ({mime}) but .{ext} claims {claimed}")
        return MismatchVerdict(False, None)
    claimed = _claimed_signature_type(ext, table)
    if claimed and (entry is None or ext not in table.accepted_extensions(entry)):
        shown = mime or "unknown"
        return MismatchVerdict(True, f"content ({shown}) is not {claimed} as .{ext} claims")
    return MismatchVerdict(None, None)
