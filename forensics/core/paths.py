"""Where Custos keeps the user's own data (examiner profiles, logs, the witness store), outside cases."""

from __future__ import annotations

import os
from pathlib import Path


def custos_home() -> Path:
    """``$CUSTOS_HOME``, else ``$XDG_DATA_HOME/custos``, else ``~/.local/share/custos`` (not created here)."""
    if os.environ.get("CUSTOS_HOME"):
        return Path(os.environ["CUSTOS_HOME"])
    if os.environ.get("XDG_DATA_HOME"):
        return Path(os.environ["XDG_DATA_HOME"]) / "custos"
    return Path.home() / ".local" / "share" / "custos"
