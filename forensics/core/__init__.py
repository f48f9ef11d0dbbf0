"""Shared helpers at the bottom of the engine: no import of another package."""
