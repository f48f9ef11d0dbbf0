"""Carving: files found by content in unallocated space (or inside an item), validated by structure."""
