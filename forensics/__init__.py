"""Custos engine: evidence access, analysis, hash sets, pipeline, case storage. No Qt here."""

__version__ = "0.1.0"
