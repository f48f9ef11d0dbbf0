"""Tests of the engine's service layer."""
