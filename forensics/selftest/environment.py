"""Who ran the validation where: component versions (asked of each library) and the machine."""

from __future__ import annotations

import os
import platform
import socket
import sys

from forensics.reports.tools import tool_versions
from forensics.selftest.model import Component


def components() -> list[Component]:
    """Every program and library the checks exercise, with the version it reports."""
    rows = [Component(t.name, t.version, t.role) for t in tool_versions()]
    rows.append(
        Component("python-magic database", os.environ.get("MAGIC", "libmagic default"), "magic.mgc used")
    )
    return rows


def machine() -> dict[str, str]:
    """Host, operating system, CPU and whether this is the installed (frozen) bundle."""
    return {
        "host": socket.gethostname(),  # local name only: no lookup, no network
        "operating system": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor() or "unknown",
        "CPU cores": str(os.cpu_count() or "unknown"),
        "Python": f"{platform.python_implementation()} {platform.python_version()}",
        "installation": "frozen bundle" if getattr(sys, "frozen", False) else "Python environment",
        "executable": sys.executable,
    }
