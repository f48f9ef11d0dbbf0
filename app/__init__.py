"""Custos application layer: command line, GUI start, settings."""
