"""Tests of the engine's shared core helpers."""
