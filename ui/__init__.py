"""Custos desktop GUI (PySide6)."""
