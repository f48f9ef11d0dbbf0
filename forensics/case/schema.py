"""Every table of the case database, gathered so that migrations and tests see one metadata."""

from forensics.case import (  # noqa: F401
    models,
    models_analysis,
    models_custody,
    models_findings,
    models_keys,
    models_regions,
    models_review,
    models_seal,
    models_video,
    models_whatsapp,
)
from forensics.case.base import CaseBase

metadata = CaseBase.metadata
