"""Phone extractions as evidence: detection, listing with device paths, reopening, decryption.

Entry points: :func:`open_extraction` / :class:`Extraction` (``extraction.py``), :func:`detect_extraction`
(``detect.py``), :func:`open_link` / :func:`open_folder_link` for stored locator links, and the record
:class:`ExtractionMember` (``records.py``).
"""
