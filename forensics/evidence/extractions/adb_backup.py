"""Android ``adb backup`` files (.ab): header, password unlock, streaming decode to the tar, members.

Format (Android's ``BackupManagerService`` / ``FullBackup``): the text lines ``ANDROID BACKUP``, a
version, ``1``/``0`` for zlib compression, and ``none`` or ``AES-256``; for AES-256 five more lines (user
password salt, master-key checksum salt, PBKDF2 rounds, user-key IV, encrypted master-key blob, all hex).
The user key is PBKDF2-HMAC-SHA1(password, salt, rounds, 32 bytes); it decrypts (AES-256-CBC) the blob
holding the master key's IV, the master key and its checksum, PBKDF2 of the master key bytes taken as
Java characters (UTF-8 encoded from version 2 on).  The rest of the file is the tar, zlib-compressed or
not, AES-256-CBC encrypted with the master key or not.

Decoding streams in chunks; nothing decoded touches the disk.  A wrong password is detected before any
data is decrypted (the blob's padding or the checksum fails) and raises :class:`WrongPassword`.  The
master key lives in :class:`AdbKeys`, in memory only, never in a repr, a log line or link params.
"""

from __future__ import annotations

import hashlib
import hmac
import tarfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO, cast

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from forensics.evidence.extractions.device_paths import adb_device_path
from forensics.evidence.extractions.errors import ExtractionError, PasswordRequired, WrongPassword
from forensics.evidence.extractions.records import ADB_BACKUP_MEMBER, ExtractionMember
from forensics.evidence.extractions.streams import CHUNK_SIZE, ForwardStream, SliceStream
from forensics.evidence.extractions.tar_members import member_from_tarinfo

MAGIC = b"ANDROID BACKUP\n"
MAX_HEADER_BYTES = 4096  # the AES header is ~400 bytes: anything longer is not an adb backup
MAX_PBKDF2_ROUNDS = 10_000_000  # Android uses 10,000; a hostile header cannot ask for more than this
AES_BLOCK = 16


@dataclass(frozen=True)
class AdbHeader:
    """The parsed header of an adb backup (no secret: salts and the wrapped key are in the file)."""

    version: int
    compressed: bool
    encryption: str  # "none" or "AES-256"
    data_offset: int
    user_salt: bytes = b""
    checksum_salt: bytes = b""
    rounds: int = 0
    user_iv: bytes = b""
    master_key_blob: bytes = b""

    @property
    def encrypted(self) -> bool:
        return self.encryption != "none"


@dataclass(frozen=True)
class AdbKeys:
    """The unwrapped master key and IV of an encrypted backup, kept in memory for the case session."""

    master_key: bytes = field(repr=False)
    master_iv: bytes = field(repr=False)

    def __repr__(self) -> str:
        return "AdbKeys(<secret>)"


def _line(stream: BinaryIO, where: str, budget: list[int]) -> bytes:
    data = stream.readline(budget[0] + 1)
    budget[0] -= len(data)
    if not data.endswith(b"\n") or budget[0] < 0:
        raise ExtractionError(f"{where}: adb backup header truncated or too long")
    return data[:-1]


def read_header(stream: BinaryIO, where: str) -> AdbHeader:
    """Parse the header at the start of ``stream``; raises :class:`ExtractionError` when it is not one."""
    stream.seek(0)
    if stream.read(len(MAGIC)) != MAGIC:
        raise ExtractionError(f"{where}: not an adb backup (no 'ANDROID BACKUP' header)")
    budget = [MAX_HEADER_BYTES]
    try:
        version = int(_line(stream, where, budget))
        compressed = int(_line(stream, where, budget)) == 1
        encryption = _line(stream, where, budget).decode("ascii")
        if encryption == "none":
            return AdbHeader(version, compressed, encryption, stream.tell())
        if encryption != "AES-256":
            raise ExtractionError(f"{where}: adb backup encryption {encryption!r} is not supported")
        user_salt = bytes.fromhex(_line(stream, where, budget).decode("ascii"))
        checksum_salt = bytes.fromhex(_line(stream, where, budget).decode("ascii"))
        rounds = int(_line(stream, where, budget))
        user_iv = bytes.fromhex(_line(stream, where, budget).decode("ascii"))
        blob = bytes.fromhex(_line(stream, where, budget).decode("ascii"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ExtractionError(f"{where}: adb backup header is malformed ({exc})") from exc
    if not 0 < rounds <= MAX_PBKDF2_ROUNDS or len(user_iv) != AES_BLOCK or len(blob) % AES_BLOCK:
        raise ExtractionError(f"{where}: adb backup header is malformed (rounds, IV or key blob)")
    return AdbHeader(
        version, compressed, encryption, stream.tell(), user_salt, checksum_salt, rounds, user_iv, blob
    )


def _password_bytes(password: str, version: int) -> bytes:
    if version >= 2:
        return password.encode("utf-8")
    return bytes(ord(char) & 0xFF for char in password)


def _java_chars(key: bytes, version: int) -> bytes:
    if version < 2:
        return key
    return "".join(chr(b if b < 0x80 else 0xFF00 | b) for b in key).encode("utf-8")


def _cbc_decrypt(key: bytes, iv: bytes, data: bytes) -> bytes:
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    return decryptor.update(data) + decryptor.finalize()


def unlock(header: AdbHeader, password: str, where: str) -> AdbKeys:
    """Derive the master key from the examiner's password; :class:`WrongPassword` if it does not fit."""
    user_key = hashlib.pbkdf2_hmac(
        "sha1", _password_bytes(password, header.version), header.user_salt, header.rounds, 32
    )
    plain = _cbc_decrypt(user_key, header.user_iv, header.master_key_blob)
    wrong = WrongPassword(f"{where}: wrong password for the encrypted adb backup (nothing was decrypted)")
    try:
        unpadder = padding.PKCS7(128).unpadder()
        blob = unpadder.update(plain) + unpadder.finalize()
        iv_len = blob[0]
        iv = blob[1 : 1 + iv_len]
        key_len = blob[1 + iv_len]
        key = blob[2 + iv_len : 2 + iv_len + key_len]
        check_len = blob[2 + iv_len + key_len]
        check = blob[3 + iv_len + key_len : 3 + iv_len + key_len + check_len]
    except (ValueError, IndexError):
        raise wrong from None
    if len(iv) != AES_BLOCK or len(key) != 32:
        raise wrong
    computed = hashlib.pbkdf2_hmac(
        "sha1", _java_chars(key, header.version), header.checksum_salt, header.rounds, 32
    )
    if not hmac.compare_digest(computed, check):
        raise wrong
    return AdbKeys(master_key=key, master_iv=iv)


def _decrypted(stream: BinaryIO, keys: AdbKeys, where: str) -> Iterator[bytes]:
    decryptor = Cipher(algorithms.AES(keys.master_key), modes.CBC(keys.master_iv)).decryptor()
    unpadder = padding.PKCS7(128).unpadder()
    total = 0
    while True:
        chunk = stream.read(CHUNK_SIZE)
        if not chunk:
            break
        total += len(chunk)
        out = unpadder.update(decryptor.update(chunk))
        if out:
            yield out
    if total % AES_BLOCK:
        raise ExtractionError(f"{where}: encrypted adb backup truncated (not a whole number of AES blocks)")
    try:
        tail = unpadder.update(decryptor.finalize()) + unpadder.finalize()
    except ValueError:
        raise ExtractionError(
            f"{where}: encrypted adb backup truncated or damaged (bad final padding)"
        ) from None
    if tail:
        yield tail


def _inflated(chunks: Iterator[bytes], where: str) -> Iterator[bytes]:
    decoder = zlib.decompressobj()
    try:
        for chunk in chunks:
            data = chunk
            while data:
                out = decoder.decompress(data, CHUNK_SIZE)
                if out:
                    yield out
                data = decoder.unconsumed_tail
            if decoder.eof:
                return
        tail = decoder.flush()
    except zlib.error as exc:
        raise ExtractionError(f"{where}: compressed adb backup damaged ({exc})") from exc
    if tail:
        yield tail
    if not decoder.eof:
        raise ExtractionError(f"{where}: compressed adb backup truncated (zlib stream does not end)")


def _raw(stream: BinaryIO) -> Iterator[bytes]:
    while chunk := stream.read(CHUNK_SIZE):
        yield chunk


def decoded_chunks(stream: BinaryIO, header: AdbHeader, keys: AdbKeys | None, where: str) -> Iterator[bytes]:
    """The backup's tar bytes, decrypted and inflated as the header says, in chunks."""
    if header.encrypted and keys is None:
        raise PasswordRequired(f"{where}: the adb backup is encrypted: a password is needed")
    stream.seek(header.data_offset)
    chunks = _decrypted(stream, keys, where) if header.encrypted and keys else _raw(stream)
    return _inflated(chunks, where) if header.compressed else chunks


def decoded_stream(stream: BinaryIO, header: AdbHeader, keys: AdbKeys | None, where: str) -> BinaryIO:
    """The decoded tar as a forward read-only stream (seeking back restarts the decode)."""
    return ForwardStream(lambda: decoded_chunks(stream, header, keys, where))  # type: ignore[return-value]


def _member(info: tarfile.TarInfo) -> ExtractionMember:
    member = member_from_tarinfo(info, ADB_BACKUP_MEMBER)
    member.device_path = adb_device_path(info.name)
    return member


def list_adb_backup(
    stream: BinaryIO, keys: AdbKeys | None = None, where: str = "adb backup"
) -> Iterator[ExtractionMember]:
    """Every member of the backup's tar, with its device path; needs ``keys`` when encrypted."""
    header = read_header(stream, where)
    for member, _reader in _walk(stream, header, keys, where, with_data=False):
        yield member


def iter_adb_contents(
    stream: BinaryIO, keys: AdbKeys | None = None, where: str = "adb backup"
) -> Iterator[tuple[ExtractionMember, BinaryIO | None]]:
    """Each member with a reader of its bytes (valid until the next member), in one decode pass."""
    header = read_header(stream, where)
    yield from _walk(stream, header, keys, where, with_data=True)


def _walk(
    stream: BinaryIO, header: AdbHeader, keys: AdbKeys | None, where: str, with_data: bool
) -> Iterator[tuple[ExtractionMember, BinaryIO | None]]:
    decoded = decoded_stream(stream, header, keys, where)
    try:
        with tarfile.open(fileobj=decoded, mode="r|") as archive:
            while True:
                info = archive.next()
                if info is None:
                    return
                archive.members.clear()  # type: ignore[attr-defined]  # TarFile.members is not in typeshed
                member = _member(info)
                reader = archive.extractfile(info) if with_data and member.readable else None
                yield member, cast("BinaryIO | None", reader)
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise ExtractionError(f"{where}: the backup's tar is damaged or truncated ({exc})") from exc


def open_adb_member(
    parent: BinaryIO, params: dict, keys: AdbKeys | None = None, where: str = "adb backup member"
) -> BinaryIO:
    """Reopen one member: a window for a plain backup, else the decode from the start, skipped ahead."""
    header = read_header(parent, where)
    offset, size = int(params["offset_data"]), int(params["size"])
    if not header.encrypted and not header.compressed:
        return SliceStream(parent, header.data_offset + offset, size)  # type: ignore[return-value]

    def restart() -> Iterator[bytes]:
        decoded = decoded_stream(parent, header, keys, where)
        decoded.seek(offset)
        left = size
        while left > 0:
            chunk = decoded.read(min(CHUNK_SIZE, left))
            if not chunk:
                raise ExtractionError(f"{where}: backup ends inside the member")
            left -= len(chunk)
            yield chunk

    return ForwardStream(restart, size)  # type: ignore[return-value]
