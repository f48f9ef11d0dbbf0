"""Per-file analysis tasks of the ingest pipeline: content type, EXIF, perceptual hashes, thumbnails.

The pipeline uses only ``forensics.analysis.api`` (see its docstring and docs/analysis.md);
``hashing`` (cryptographic digests) is the pipeline's own module.
"""
