"""Find WhatsApp databases among an extraction's members by their device paths."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

Handle = TypeVar("Handle")

ANDROID_PACKAGES = ("com.whatsapp", "com.whatsapp.w4b")
IOS_CHATSTORAGE = "/ChatStorage.sqlite"
IOS_GROUP_MARKER = "whatsapp"


@dataclass
class WhatsAppDatabases(Generic[Handle]):
    """One app's databases: the message store, its WAL, and (Android) ``wa.db`` with its WAL.

    Handles are whatever the caller passed with each path (an item id, a member record...).
    """

    platform: str
    messages: Handle
    messages_path: str
    messages_wal: Handle | None = None
    contacts: Handle | None = None
    contacts_wal: Handle | None = None


def find_whatsapp_databases(entries: Iterable[tuple[str, Handle]]) -> list[WhatsAppDatabases[Handle]]:
    """The WhatsApp databases among ``(device path, handle)`` pairs (Android and iOS, WAL files paired)."""
    by_path = {path: handle for path, handle in entries if path}
    found: list[WhatsAppDatabases[Handle]] = []
    for path, handle in sorted(by_path.items()):
        lowered = path.lower()
        if any(lowered.endswith(f"/{pkg}/databases/msgstore.db") for pkg in ANDROID_PACKAGES):
            folder = path.rsplit("/", 1)[0]
            found.append(
                WhatsAppDatabases(
                    "android",
                    handle,
                    path,
                    by_path.get(path + "-wal"),
                    by_path.get(folder + "/wa.db"),
                    by_path.get(folder + "/wa.db-wal"),
                )
            )
        elif path.endswith(IOS_CHATSTORAGE) and IOS_GROUP_MARKER in lowered:
            found.append(WhatsAppDatabases("ios", handle, path, by_path.get(path + "-wal")))
    return found
