"""WhatsApp media provenance: parsers of Android ``msgstore.db``/``wa.db`` and iOS ``ChatStorage.sqlite``
(``android.py``, ``ios.py``), database location (``locate.py``) and linking to case items (``link.py``)."""
