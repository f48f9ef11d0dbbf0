"""Published facts about the third-party test images in ``tests/data``, as Python data.

Everything here is transcribed by hand from the ``EXPECTED.md`` files of each source folder (which restate
the corpus ``EXPECTED.md`` files) and, for sleuthkit's ``image.dd``, from the fiwalk DFXML shipped with The
Sleuth Kit (``sleuthkit/image_dd.xml``).  Nothing here was produced by running Custos.

Each :class:`ExpectedImage` says where its facts come from (``provenance``):

* ``"published"``: asserted by the source project's own tests or expected-output files;
* ``"published+verified"``: the project's tests assert the facts in general terms (e.g. "same listing as the
  ext2 family") and the exact table was checked with pytsk3/libewf when the corpus was assembled (section B
  of the corpus EXPECTED.md).

Listings contain user-visible entries only: ``.``/``..`` and NTFS/FAT metadata files whose names start with
``$`` (other than TSK's virtual ``$OrphanFiles``) are left out, as in the EXPECTED.md tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent

# File contents shared by all the "a_directory / passwords.txt" test images of dfvfs, plaso, pytsk, sleuthkit.
PASSWORDS_MD5 = "39cb097008d17660abd0539891a672af"
PASSWORDS_SHA1 = "677bc4ec72665fabac0bc91cd4e423a535a0cae4"
A_FILE_MD5 = "85bebf486af24792085f769afa46717d"
A_FILE_SHA1 = "2f5fe1248105fbad54b76b361adbb49322386f8c"
ANOTHER_FILE_MD5 = "d54ff73404ed6041a3bd66850b061bff"
ANOTHER_FILE_SHA1 = "4bdb40dfd6ec75cb730e678b5d7786e30170c5fb"
EMPTY_MD5 = "d41d8cd98f00b204e9800998ecf8427e"
PASSWORDS_TEXT = (
    b"place,user,password\n"
    b"bank,joesmith,superrich\n"
    b"alarm system,-,1234\n"
    b"treasure chest,-,1111\n"
    b"uber secret laire,admin,admin\n"
)


@dataclass(frozen=True)
class ExpectedFile:
    """One listing row.  ``inode`` and ``size`` are None for a deleted name without metadata.

    ``kind`` is TSK's name-type letter: r file, d directory, l symlink, V virtual ($OrphanFiles); "-" where
    the source gives a deleted name without saying its type.
    """

    path: str
    inode: int | None
    kind: str
    size: int | None
    allocated: bool = True
    md5: str | None = None
    sha1: str | None = None


@dataclass(frozen=True)
class ExpectedPartition:
    """One entry of TSK's volume-system listing (sectors of 512 bytes)."""

    addr: int
    start: int
    length: int
    description: str
    flags: int  # TSK_VS_PART_FLAG: 1 allocated, 2 unallocated, 4 meta

    @property
    def end(self) -> int:
        """Last sector (inclusive), as mmls prints it."""
        return self.start + self.length - 1


@dataclass(frozen=True)
class ExpectedFileSystem:
    """A file system at a byte offset of the media, with its listing."""

    offset: int
    fs_type: str
    block_size: int | None
    block_count: int | None
    files: tuple[ExpectedFile, ...]


@dataclass(frozen=True)
class ExpectedImage:
    """Published facts about one image (one or more segment files)."""

    key: str
    segments: tuple[str, ...]  # relative to tests/data, first segment first
    container: str  # raw | split_raw | ewf | qcow | vhd | vmdk | invalid
    provenance: str
    media_size: int | None = None
    media_md5: str | None = None
    stored_md5: str | None = None
    stored_sha1: str | None = None
    partitions: tuple[ExpectedPartition, ...] = ()
    filesystems: tuple[ExpectedFileSystem, ...] = ()
    error: str | None = None  # for negative cases: what TSK / libewf report
    source: str = ""  # which EXPECTED.md section the facts come from
    notes: tuple[str, ...] = field(default=())

    @property
    def paths(self) -> tuple[Path, ...]:
        """Absolute paths of all segment files."""
        return tuple(DATA_DIR / segment for segment in self.segments)

    @property
    def path(self) -> Path:
        """Absolute path of the first segment."""
        return self.paths[0]


# --- dfvfs: one 4 MiB ext2 volume in seven containers -------------------------------------------------------

DFVFS_EXT2_MEDIA_MD5 = "196066add11fb71c4c49cf1bb50d6d24"
DFVFS_EXT2_FS = ExpectedFileSystem(
    offset=0,
    fs_type="ext2",
    block_size=1024,
    block_count=4096,
    files=(
        ExpectedFile("/lost+found", 11, "d", 12288),
        ExpectedFile("/a_directory", 12, "d", 1024),
        ExpectedFile("/a_directory/a_file", 13, "r", 53, md5=A_FILE_MD5),
        ExpectedFile("/a_directory/another_file", 15, "r", 22, md5=ANOTHER_FILE_MD5),
        ExpectedFile("/passwords.txt", 14, "r", 116, md5=PASSWORDS_MD5),
        ExpectedFile("/a_link", 16, "l", 24),
        ExpectedFile("/$OrphanFiles", 1025, "V", 0),
    ),
)
_DFVFS_SOURCE = "dfvfs/EXPECTED.md A (ext2 family) and B (ext2.E01 table, stored MD5)"
_DFVFS_EXT2_NOTES = (
    "/a_directory/another_file: uid 1000, gid 1000, mode 0o664, 1 link; bytes 10..15 are b'other'",
    "/a_link is a symlink whose target resolves to another_file",
    "dfvfs mentions a deleted root name passwords.txt~ without metadata; TSK does not list it",
)


def _dfvfs_ext2(key: str, segments: tuple[str, ...], container: str, **extra: object) -> ExpectedImage:
    values: dict[str, object] = {"media_size": 4194304, "media_md5": DFVFS_EXT2_MEDIA_MD5}
    values.update(extra)
    return ExpectedImage(
        key=key,
        segments=segments,
        container=container,
        provenance="published+verified",
        filesystems=(DFVFS_EXT2_FS,),
        source=_DFVFS_SOURCE,
        notes=_DFVFS_EXT2_NOTES,
        **values,  # type: ignore[arg-type]
    )


DFVFS_EXT2_E01 = _dfvfs_ext2("dfvfs/ext2.E01", ("dfvfs/ext2.E01",), "ewf", stored_md5=DFVFS_EXT2_MEDIA_MD5)
DFVFS_EXT2_SPLIT_E01 = _dfvfs_ext2(
    "dfvfs/ext2.split.E01",
    ("dfvfs/ext2.split.E01", "dfvfs/ext2.split.E02"),
    "ewf",
    stored_md5=DFVFS_EXT2_MEDIA_MD5,
)
DFVFS_EXT2_SPLITRAW = _dfvfs_ext2(
    "dfvfs/ext2.splitraw", ("dfvfs/ext2.splitraw.000", "dfvfs/ext2.splitraw.001"), "split_raw"
)
DFVFS_EXT2_QCOW2 = _dfvfs_ext2("dfvfs/ext2.qcow2", ("dfvfs/ext2.qcow2",), "qcow")
# libvhdi reports the disk size declared in the VHD footer; the ext2 volume in it is still 4 MiB.
DFVFS_EXT2_VHD = _dfvfs_ext2("dfvfs/ext2.vhd", ("dfvfs/ext2.vhd",), "vhd", media_size=4212736, media_md5=None)
DFVFS_EXT2_VMDK = _dfvfs_ext2("dfvfs/ext2.vmdk", ("dfvfs/ext2.vmdk",), "vmdk")

DFVFS_EXT2_FAMILY = (
    DFVFS_EXT2_E01,
    DFVFS_EXT2_SPLIT_E01,
    DFVFS_EXT2_SPLITRAW,
    DFVFS_EXT2_QCOW2,
    DFVFS_EXT2_VHD,
    DFVFS_EXT2_VMDK,
)

DFVFS_HFSPLUS = ExpectedImage(
    key="dfvfs/hfsplus.raw",
    segments=("dfvfs/hfsplus.raw",),
    container="raw",
    provenance="published+verified",
    media_size=4153344,
    filesystems=(
        ExpectedFileSystem(
            offset=0,
            fs_type="hfs+",
            block_size=4096,
            block_count=1014,
            files=(
                ExpectedFile("/.fseventsd", 23, "d", 0),
                ExpectedFile(
                    "/.fseventsd/00000000171494cb", 26, "r", 161, md5="a060037c60d7b8a6c4d68531d8eb7022"
                ),
                ExpectedFile(
                    "/.fseventsd/00000000171494cc", 27, "r", 72, md5="e6cea10133a5cddd4c9a2ee5576139e8"
                ),
                ExpectedFile(
                    "/.fseventsd/fseventsd-uuid", 24, "r", 36, md5="1eb5dd11eea6ecb798a1f454b69a7504"
                ),
                ExpectedFile("/a_directory", 18, "d", 0),
                ExpectedFile("/a_directory/a_file", 19, "r", 53, md5=A_FILE_MD5),
                ExpectedFile("/a_directory/a_resourcefork", 25, "r", 0, md5=EMPTY_MD5),
                ExpectedFile("/a_directory/another_file", 21, "r", 22, md5=ANOTHER_FILE_MD5),
                ExpectedFile("/a_link", 22, "l", 24),
                ExpectedFile("/passwords.txt", 20, "r", 116, md5=PASSWORDS_MD5),
            ),
        ),
    ),
    source="dfvfs/EXPECTED.md A (hfsplus.raw identifiers) and B (hfsplus.raw table)",
    notes=(
        "/a_directory/a_resourcefork has a second data stream 'rsrc' (resource fork) of 17 bytes",
        "a_file carries the extended attribute myxattr = 'My extended attribute'",
        "the two HFS+ private directories (inodes 16 and 17) are left out of the listing above",
    ),
)

DFVFS_ISO9660 = ExpectedImage(
    key="dfvfs/iso9660.raw",
    segments=("dfvfs/iso9660.raw",),
    container="raw",
    provenance="published+verified",
    media_size=366592,
    filesystems=(
        ExpectedFileSystem(
            offset=0,
            fs_type="iso9660",
            block_size=2048,
            block_count=179,
            files=(
                ExpectedFile("/A_DIRECTORY", 1, "d", 2048),
                ExpectedFile("/A_DIRECTORY/ANOTHER_FILE", 4, "r", 22, md5=ANOTHER_FILE_MD5),
                ExpectedFile("/A_DIRECTORY/A_FILE", 5, "r", 53, md5=A_FILE_MD5),
                ExpectedFile("/LOST_FOUND", 2, "d", 2048),
                ExpectedFile("/PASSWORDS.TXT", 3, "r", 116, md5=PASSWORDS_MD5),
                ExpectedFile("/$OrphanFiles", 6, "V", 0),
            ),
        ),
    ),
    source="dfvfs/EXPECTED.md A (iso9660.raw inodes) and B (iso9660.raw table)",
)

DFVFS_WINDOWS_VOLUME = ExpectedImage(
    key="dfvfs/windows_volume.qcow2",
    segments=("dfvfs/windows_volume.qcow2",),
    container="qcow",
    provenance="published+verified",
    media_size=35913728,
    filesystems=(
        ExpectedFileSystem(
            offset=0,
            fs_type="ntfs",
            block_size=4096,
            block_count=8767,
            files=(
                ExpectedFile("/Windows", 64, "d", 152),
                ExpectedFile("/Windows/System32", 65, "d", 144),
                ExpectedFile("/Windows/System32/config", 66, "d", 144),
                ExpectedFile(
                    "/Windows/System32/config/syslog", 67, "r", 1247, md5="8b32710e60ce9f650b8b4dcc2b3ee927"
                ),
                ExpectedFile("/$OrphanFiles", 68, "V", 0),
            ),
        ),
    ),
    source="dfvfs/EXPECTED.md A (windows_volume.qcow2) and B (table)",
    notes=("C:\\bogus does not exist",),
)

# The 100 KiB ext2 "image" revision with a_link (same file system as sleuthkit image.dd).
_EXT2_100K_WITH_LINK_FILES = (
    ExpectedFile("/lost+found", 11, "d", 12288),
    ExpectedFile("/a_directory", 12, "d", 1024),
    ExpectedFile("/a_directory/another_file", 16, "r", 22, md5=ANOTHER_FILE_MD5, sha1=ANOTHER_FILE_SHA1),
    ExpectedFile("/a_directory/a_file", 14, "r", 53, md5=A_FILE_MD5, sha1=A_FILE_SHA1),
    ExpectedFile("/a_directory/.another_file.swp", None, "r", None, allocated=False),
    ExpectedFile("/a_directory/another_file~", None, "r", None, allocated=False),
    ExpectedFile("/passwords.txt", 15, "r", 116, md5=PASSWORDS_MD5, sha1=PASSWORDS_SHA1),
    ExpectedFile(
        "/a_link",
        13,
        "l",
        24,
        md5="1681ffc6e046c7af98c9e6c232a3fe0a",
        sha1="d3399b7262fb56cb9ed053d68db9291c410839c4",
    ),
    ExpectedFile("/$OrphanFiles", 17, "V", 0),
)

DFVFS_IMYND = ExpectedImage(
    key="dfvfs/ímynd.dd",
    segments=("dfvfs/ímynd.dd",),
    container="raw",
    provenance="published+verified",
    media_size=102400,
    filesystems=(
        ExpectedFileSystem(
            offset=0,
            fs_type="ext2",
            block_size=1024,
            block_count=100,
            # The B table gives no hash for the symlink; the same revision's fiwalk DFXML does (sleuthkit).
            files=tuple(
                ExpectedFile(f.path, f.inode, f.kind, f.size, f.allocated, f.md5 if f.kind == "r" else None)
                for f in _EXT2_100K_WITH_LINK_FILES
            ),
        ),
    ),
    source="dfvfs/EXPECTED.md A (non-ASCII file name) and B (ímynd.dd table)",
)

DFVFS_BOGUS = ExpectedImage(
    key="dfvfs/bogus.001",
    segments=("dfvfs/bogus.001",),
    container="invalid",
    provenance="published+verified",
    media_size=51200,
    error="Cannot determine file system type",
    source="dfvfs/EXPECTED.md A (bogus.001 negative test) and B",
)

# --- plaso --------------------------------------------------------------------------------------------------

_EXT2_100K_FILES = (
    ExpectedFile("/lost+found", 11, "d", 12288),
    ExpectedFile("/a_directory", 12, "d", 1024),
    ExpectedFile("/a_directory/another_file", 16, "r", 22, md5=ANOTHER_FILE_MD5),
    ExpectedFile("/a_directory/a_file", 14, "r", 53, md5=A_FILE_MD5),
    ExpectedFile("/a_directory/.another_file.swp", None, "-", None, allocated=False),
    ExpectedFile("/a_directory/another_file~", None, "-", None, allocated=False),
    ExpectedFile("/passwords.txt", 15, "r", 116, md5=PASSWORDS_MD5),
    ExpectedFile("/passwords.txt~", None, "-", None, allocated=False),
    ExpectedFile("/$OrphanFiles", 17, "V", 0),
)
_EXT2_100K_FS = ExpectedFileSystem(
    offset=0, fs_type="ext2", block_size=1024, block_count=100, files=_EXT2_100K_FILES
)

PLASO_IMAGE_E01 = ExpectedImage(
    key="plaso/image.E01",
    segments=("plaso/image.E01",),
    container="ewf",
    provenance="published+verified",
    media_size=102400,
    media_md5="d73c51f10c7ee6a681b7b619ccc6f1c4",
    stored_md5="d73c51f10c7ee6a681b7b619ccc6f1c4",
    filesystems=(_EXT2_100K_FS,),
    source="plaso/EXPECTED.md A (plain image) and B (image.E01 table, stored MD5)",
)

# Published by pytsk's volume test (pytsk/EXPECTED.md A) for the same bytes.
TSK_VOLUME_SYSTEM_PARTITIONS = (
    ExpectedPartition(0, 0, 1, "Primary Table (#0)", 4),
    ExpectedPartition(1, 0, 1, "Unallocated", 2),
    ExpectedPartition(2, 1, 350, "Linux (0x83)", 1),
    ExpectedPartition(3, 351, 2529, "DOS Extended (0x05)", 4),
    ExpectedPartition(4, 351, 1, "Extended Table (#1)", 4),
    ExpectedPartition(5, 351, 1, "Unallocated", 2),
    ExpectedPartition(6, 352, 2528, "Linux (0x83)", 1),
)
_TSK_VOLUME_SYSTEM_FS = ExpectedFileSystem(
    offset=352 * 512,
    fs_type="ext2",
    block_size=1024,
    block_count=1264,
    files=(ExpectedFile("/lost+found", 11, "d", 12288), ExpectedFile("/$OrphanFiles", 161, "V", 0)),
)
_TSK_VOLUME_SYSTEM_NOTES = ("the first Linux partition (sectors 1-350) holds no file system TSK recognises",)

PLASO_TSK_VOLUME_SYSTEM = ExpectedImage(
    key="plaso/tsk_volume_system.raw",
    segments=("plaso/tsk_volume_system.raw",),
    container="raw",
    provenance="published",
    media_size=1474560,
    partitions=TSK_VOLUME_SYSTEM_PARTITIONS,
    filesystems=(_TSK_VOLUME_SYSTEM_FS,),
    source="pytsk/EXPECTED.md A (partition list), plaso/EXPECTED.md B (file system at 180224)",
    notes=_TSK_VOLUME_SYSTEM_NOTES,
)

PLASO_IMAGE_SPLIT_E01 = ExpectedImage(
    key="plaso/image-split.E01",
    segments=("plaso/image-split.E01", "plaso/image-split.E02"),
    container="ewf",
    provenance="published+verified",
    media_size=1474560,
    media_md5="38ea5af8a80e16e46c095c9110242fc0",
    stored_md5="38ea5af8a80e16e46c095c9110242fc0",
    partitions=TSK_VOLUME_SYSTEM_PARTITIONS,
    filesystems=(_TSK_VOLUME_SYSTEM_FS,),
    source="plaso/EXPECTED.md A (partitioned, same layout as tsk_volume_system.raw) and B (stored MD5)",
    notes=_TSK_VOLUME_SYSTEM_NOTES,
)

# --- pytsk --------------------------------------------------------------------------------------------------

PYTSK_IMAGE = ExpectedImage(
    key="pytsk/image.raw",
    segments=("pytsk/image.raw",),
    container="raw",
    provenance="published+verified",
    media_size=102400,
    filesystems=(_EXT2_100K_FS,),
    source="pytsk/EXPECTED.md A (sizes, byte offsets) and B (table)",
    notes=("open-by-inode and open-by-path return identical bytes for every file",),
)
# Raw byte facts asserted by pytsk's image test: media offset -> expected prefix.
PYTSK_IMAGE_BYTES_AT = {0x5800: b"place,user,passw", 0x7C00: b"This is another "}

PYTSK_BOGUS = ExpectedImage(
    key="pytsk/bogus.raw",
    segments=("pytsk/bogus.raw",),
    container="invalid",
    provenance="published",
    media_size=12,
    error="Cannot determine file system type",
    source="pytsk/EXPECTED.md A (FS_Info must raise OSError) and B (message)",
)

# --- sleuthkit ----------------------------------------------------------------------------------------------

_SLEUTHKIT_EXT2_FS = ExpectedFileSystem(
    offset=0, fs_type="ext2", block_size=1024, block_count=100, files=_EXT2_100K_WITH_LINK_FILES
)
SLEUTHKIT_FS_ID = "f1f8dab857ef49db9cf5b409570736ed"

SLEUTHKIT_IMAGE_DD = ExpectedImage(
    key="sleuthkit/image.dd",
    segments=("sleuthkit/image.dd",),
    container="raw",
    provenance="published",
    media_size=102400,
    filesystems=(_SLEUTHKIT_EXT2_FS,),
    source="sleuthkit/image_dd.xml (fiwalk DFXML) and sleuthkit/EXPECTED.md B",
    notes=(
        "fs_id f1f8dab857ef49db9cf5b409570736ed; 17 inodes; root inode 2",
        "passwords.txt mtime 1337961653",
    ),
)
SLEUTHKIT_IMAGE_E01 = ExpectedImage(
    key="sleuthkit/image.E01",
    segments=("sleuthkit/image.E01",),
    container="ewf",
    provenance="published",
    media_size=102400,
    media_md5="3ebb0b7dcd6b5fcd59a0020625d70994",
    stored_md5="3ebb0b7dcd6b5fcd59a0020625d70994",
    filesystems=(_SLEUTHKIT_EXT2_FS,),
    source="sleuthkit/img_dump/image.E01.json (itype ewf, same records as image.dd) and EXPECTED.md C (MD5)",
)
SLEUTHKIT_IMAGE_ISO = ExpectedImage(
    key="sleuthkit/image.iso",
    segments=("sleuthkit/image.iso",),
    container="raw",
    provenance="published",
    media_size=366592,
    filesystems=(
        ExpectedFileSystem(
            offset=0,
            fs_type="iso9660",
            block_size=2048,
            block_count=179,
            files=(
                ExpectedFile("/A_DIRECT", 1, "d", 2048),
                ExpectedFile("/A_DIRECT/ANOTHER_", 4, "r", 22, md5=ANOTHER_FILE_MD5),
                ExpectedFile("/A_DIRECT/A_FILE", 5, "r", 53, md5=A_FILE_MD5),
                ExpectedFile("/LOST_FOU", 2, "d", 2048),
                ExpectedFile("/PASSWORD.TXT", 3, "r", 116, md5=PASSWORDS_MD5),
                ExpectedFile("/$OrphanFiles", 6, "V", 0),
            ),
        ),
    ),
    source="sleuthkit/img_dump/image.iso.json and sleuthkit/EXPECTED.md B/C",
)
SLEUTHKIT_BOGUS_E01 = ExpectedImage(
    key="sleuthkit/bogus.E01",
    segments=("sleuthkit/bogus.E01",),
    container="invalid",
    provenance="published",
    media_size=0,
    error="no EWF file-header signature",
    source="sleuthkit/EXPECTED.md B (empty file, opening must fail) and C",
)
SLEUTHKIT_MMLS_1 = ExpectedImage(
    key="sleuthkit/imageformat_mmls_1.E01",
    segments=("sleuthkit/imageformat_mmls_1.E01",),
    container="ewf",
    provenance="published+verified",
    media_size=62915072,
    media_md5="8ec671e301095c258224aad701740503",
    stored_md5="8ec671e301095c258224aad701740503",
    stored_sha1="067bc6ab29685ee19b0cf82c9d15ac510d1e7d95",
    partitions=(
        ExpectedPartition(0, 0, 1, "Primary Table (#0)", 4),
        ExpectedPartition(1, 0, 128, "Unallocated", 2),
        ExpectedPartition(2, 128, 55296, "NTFS / exFAT (0x07)", 1),
        ExpectedPartition(3, 55424, 61440, "NTFS / exFAT (0x07)", 1),
        ExpectedPartition(4, 116864, 6017, "Unallocated", 2),
    ),
    filesystems=(
        ExpectedFileSystem(
            offset=128 * 512,
            fs_type="ntfs",
            block_size=4096,
            block_count=6911,
            files=(
                ExpectedFile("/System Volume Information", 36, "d", 280),
                ExpectedFile(
                    "/System Volume Information/IndexerVolumeGuid",
                    38,
                    "r",
                    76,
                    md5="65c6c3322232cc91420100456b3fc849",
                ),
                ExpectedFile(
                    "/System Volume Information/WPSettings.dat",
                    37,
                    "r",
                    12,
                    md5="d028b90dc0362821a066559ae8965a5a",
                ),
                ExpectedFile("/$OrphanFiles", 256, "V", 0),
            ),
        ),
        ExpectedFileSystem(
            offset=55424 * 512,
            fs_type="ntfs",
            block_size=4096,
            block_count=7679,
            files=(
                ExpectedFile("/System Volume Information", 36, "d", 280),
                ExpectedFile(
                    "/System Volume Information/IndexerVolumeGuid",
                    38,
                    "r",
                    76,
                    md5="13a7b54757738b47d264eb57c88abe5a",
                ),
                ExpectedFile(
                    "/System Volume Information/WPSettings.dat",
                    37,
                    "r",
                    12,
                    md5="e3d0f062453ea71fa216bd4bbfbb2e95",
                ),
                ExpectedFile("/$OrphanFiles", 256, "V", 0),
            ),
        ),
    ),
    source="corpus MANIFEST (NTFS at 128/55296 and 55424/61440, stored=computed), sleuthkit/EXPECTED.md C",
)

ALL_IMAGES: tuple[ExpectedImage, ...] = (
    *DFVFS_EXT2_FAMILY,
    DFVFS_HFSPLUS,
    DFVFS_ISO9660,
    DFVFS_WINDOWS_VOLUME,
    DFVFS_IMYND,
    DFVFS_BOGUS,
    PLASO_IMAGE_E01,
    PLASO_TSK_VOLUME_SYSTEM,
    PLASO_IMAGE_SPLIT_E01,
    PYTSK_IMAGE,
    PYTSK_BOGUS,
    SLEUTHKIT_IMAGE_DD,
    SLEUTHKIT_IMAGE_E01,
    SLEUTHKIT_IMAGE_ISO,
    SLEUTHKIT_BOGUS_E01,
    SLEUTHKIT_MMLS_1,
)
IMAGES_BY_KEY = {image.key: image for image in ALL_IMAGES}
INVALID_IMAGES = tuple(image for image in ALL_IMAGES if image.container == "invalid")
