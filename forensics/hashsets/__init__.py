"""The known-material hash-set library: importers per format, exact and perceptual lookup, matching.

The library is its own database (SQLite by default, PostgreSQL-ready through the same models), shared
by every case on a workstation. Matching writes findings and known-file marks into a case database.
"""
