"""Chain of custody: examiner profiles and keys, case membership, intake records, and the
append-only, hash-chained, Ed25519-signed custody log with its verifier.

Every part of Custos records custody events through :class:`forensics.custody.log.CustodyLog`
(obtained from :mod:`forensics.custody.session`); nothing else writes the log's table.
The byte-level format is documented in ``docs/custody.md``.
"""
