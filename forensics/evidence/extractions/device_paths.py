"""Where an extraction's member lived on the phone: extraction roots, adb backup tokens, iOS domains.

Android and iOS full-file-system extractions put the device's root under a folder of the tool's choice
(``Dump/``, ``filesystem1/``, ``fs/``, a device name, or nothing).  The root is found by anchors, paths
that exist on every phone of the platform, voted over the member names.

iOS backup domains map to device folders through the ``RootPath`` of each domain in the device's
``/System/Library/Backup/Domains.plist`` (published for iOS 16.4 in leminlimez's "A deep dive into the
iOS backup/restore system" and on The iPhone Wiki's "ITunes Backup" page).  App containers are
identified on the device by a random UUID that the backup does not keep: the bundle or group identifier
stands in its place (``/private/var/mobile/Containers/Shared/AppGroup/<group id>/...``), and the member
says so in a note.

adb backup members are named ``apps/<package>/<token>/<path>``; the tokens are those of Android's
``android.app.backup.FullBackup`` (``r`` app data root, ``f`` files, ``db`` databases, ``sp``
shared_prefs, ``c`` cache, ``nb`` no_backup, ``d_*`` the same in device-protected storage, ``ef``
external app files, ``obb``, ``a`` the APK, ``k`` key-value data, ``shared/0`` shared storage).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

ANDROID_ANCHORS = (
    "data/data/",
    "data/user/0/",
    "data/user_de/0/",
    "data/media/0/",
    "data/system/",
    "system/build.prop",
    "system/framework/",
    "storage/emulated/0/",
)
IOS_ANCHORS = (
    "private/var/mobile/",
    "private/var/containers/",
    "private/var/root/",
    "System/Library/CoreServices/",
)

# Domains.plist RootPath per system domain (with /var written as /private/var, its real location).
IOS_DOMAIN_ROOTS = {
    "HomeDomain": "/private/var/mobile",
    "MediaDomain": "/private/var/mobile",
    "CameraRollDomain": "/private/var/mobile",
    "KeyboardDomain": "/private/var/mobile",
    "TonesDomain": "/private/var/mobile",
    "HomeKitDomain": "/private/var/mobile",
    "HealthDomain": "/private/var/mobile/Library",
    "BooksDomain": "/private/var/mobile/Media/Books",
    "RootDomain": "/private/var/root",
    "KeychainDomain": "/private/var/Keychains",
    "WirelessDomain": "/private/var/wireless",
    "SystemPreferencesDomain": "/private/var/preferences",
    "ManagedPreferencesDomain": "/private/var/Managed Preferences",
    "DatabaseDomain": "/private/var/db",
    "InstallDomain": "/private/var/installd",
    "NetworkDomain": "/private/var/networkd",
    "ProtectedDomain": "/private/var/protected",
    "MobileDeviceDomain": "/private/var/MobileDevice",
}
# Container domains: prefix -> device folder holding one container per identifier (UUID on the device).
IOS_CONTAINER_DOMAINS = (
    ("AppDomainGroup-", "/private/var/mobile/Containers/Shared/AppGroup/"),
    ("AppDomainPlugin-", "/private/var/mobile/Containers/Data/PluginKitPlugin/"),
    ("AppDomain-", "/private/var/mobile/Containers/Data/Application/"),
    ("SysSharedContainerDomain-", "/private/var/containers/Shared/SystemGroup/"),
    ("SysContainerDomain-", "/private/var/containers/Data/System/"),
)
CONTAINER_NOTE = "app container UUID is not in the backup: its identifier stands in its place"

ADB_TOKENS = {
    "r": "/data/data/{pkg}",
    "f": "/data/data/{pkg}/files",
    "db": "/data/data/{pkg}/databases",
    "sp": "/data/data/{pkg}/shared_prefs",
    "c": "/data/data/{pkg}/cache",
    "nb": "/data/data/{pkg}/no_backup",
    "d_r": "/data/user_de/0/{pkg}",
    "d_f": "/data/user_de/0/{pkg}/files",
    "d_db": "/data/user_de/0/{pkg}/databases",
    "d_sp": "/data/user_de/0/{pkg}/shared_prefs",
    "d_c": "/data/user_de/0/{pkg}/cache",
    "d_nb": "/data/user_de/0/{pkg}/no_backup",
    "ef": "/storage/emulated/0/Android/data/{pkg}/files",
    "obb": "/storage/emulated/0/Android/obb/{pkg}",
    "a": "/data/app/{pkg}",
}


@dataclass(frozen=True)
class ExtractionRoot:
    """Where the device's ``/`` is inside an extraction, and which platform the anchors point to."""

    prefix: str  # "" or a folder path ending in "/"
    platform: str  # "android" or "ios"
    votes: int


def _root_of(name: str, anchor: str) -> str | None:
    if name.startswith(anchor):
        return ""
    at = name.find("/" + anchor)
    return name[: at + 1] if at >= 0 else None


def find_extraction_root(names: Iterable[str]) -> ExtractionRoot | None:
    """The folder that holds the device root, by anchors voted over member names; None if none match."""
    votes: Counter[tuple[str, str]] = Counter()
    for raw in names:
        name = raw.lstrip("./").replace("\\", "/")
        for platform, anchors in (("android", ANDROID_ANCHORS), ("ios", IOS_ANCHORS)):
            for anchor in anchors:
                root = _root_of(name, anchor)
                if root is not None:
                    votes[(root, platform)] += 1
                    break
    if not votes:
        return None
    (prefix, platform), count = max(votes.items(), key=lambda item: (item[1], -len(item[0][0])))
    return ExtractionRoot(prefix=prefix, platform=platform, votes=count)


def device_path_in_root(name: str, root: ExtractionRoot | None) -> str | None:
    """The device path of a member named ``name`` under ``root`` (None when outside the root)."""
    if root is None:
        return None
    clean = name.lstrip("./").replace("\\", "/").rstrip("/")
    if not clean.startswith(root.prefix):
        return None
    rest = clean[len(root.prefix) :]
    return "/" + rest if rest else "/"


def ios_device_path(domain: str, relative_path: str) -> tuple[str | None, str | None]:
    """(device path, note) of an iOS backup file from its domain and relative path."""
    tail = ("/" + relative_path) if relative_path else ""
    root = IOS_DOMAIN_ROOTS.get(domain)
    if root:
        return root + tail, None
    for prefix, folder in IOS_CONTAINER_DOMAINS:
        if domain.startswith(prefix):
            return folder + domain[len(prefix) :] + tail, CONTAINER_NOTE
    return None, f"unknown backup domain {domain!r}: no device path"


def adb_device_path(name: str) -> str | None:
    """The device path of an adb backup member (``apps/<pkg>/<token>/...`` or ``shared/0/...``)."""
    parts = name.strip("/").split("/")
    if len(parts) >= 2 and parts[0] == "shared":
        return "/storage/emulated/" + "/".join(parts[1:])
    if len(parts) < 3 or parts[0] != "apps":
        return None
    package, token, rest = parts[1], parts[2], parts[3:]
    if token == "_manifest" and len(parts) == 3:
        return None
    template = ADB_TOKENS.get(token)
    if template is None:
        return None
    return "/".join([template.format(pkg=package), *rest])
