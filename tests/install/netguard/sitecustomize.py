"""Test-only network guard, imported at start-up by every Python process that has this folder on PYTHONPATH.

When ``CUSTOS_NETGUARD_LOG`` names a file, an audit hook (``sys.addaudithook``, which cannot be removed)
refuses every name lookup and every socket connection, send or bind on an internet address (AF_INET,
AF_INET6), and appends a ``VIOLATION`` line to that file before raising, so that code that swallows the
exception is still caught. Each guarded process also appends one ``ARMED`` line, which lets a test prove
that worker processes were guarded too. Local IPC (AF_UNIX sockets, socketpair, pipes) stays allowed.
"""

import os
import socket
import sys

_LOG = os.environ.get("CUSTOS_NETGUARD_LOG")
_LOOKUPS = frozenset(
    {"socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr", "socket.getnameinfo"}
)
_ADDRESSED = frozenset({"socket.connect", "socket.sendto", "socket.sendmsg", "socket.bind"})
_INTERNET = (socket.AF_INET, socket.AF_INET6)


class NetworkUseForbidden(PermissionError):
    """Raised inside the process that tried to use the network."""


def _write(line: str) -> None:
    with open(_LOG, "a", encoding="utf-8") as log:
        log.write(line + "\n")


def _is_internet(args: tuple) -> bool:
    sock = args[0] if args else None
    return getattr(sock, "family", None) in _INTERNET


def _hook(event: str, args: tuple) -> None:
    if event in _LOOKUPS or (event in _ADDRESSED and _is_internet(args)):
        detail = f"VIOLATION pid={os.getpid()} {event} {args[1:] if event in _ADDRESSED else args!r}"
        _write(detail)
        raise NetworkUseForbidden(f"network use forbidden in this test: {event}")


if _LOG:
    _write(f"ARMED pid={os.getpid()} argv={sys.argv!r}")
    sys.addaudithook(_hook)
