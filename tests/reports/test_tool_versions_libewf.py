"""Reports name the libewf build that read the evidence, local build tag included."""

from __future__ import annotations

from importlib import metadata

import pyewf
import pytest

from forensics.reports.tools import tool_versions


@pytest.mark.skipif(not hasattr(pyewf.handle, "get_checksum_errors"), reason="stock libewf-python")
def test_the_project_libewf_build_is_named_with_its_tag() -> None:
    [row] = [row for row in tool_versions() if row.name == "libewf (pyewf)"]
    assert row.version == metadata.version("libewf-python")
    assert row.version == f"{pyewf.get_version()}+libdeflate.checksums"
