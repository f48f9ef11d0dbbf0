"""Every table of the case database, gathered so that migrations and tests see one metadata."""

from forensics.case import models, models_analysis, models_findings, models_regions, models_review  # noqa: F401
from forensics.case.base import CaseBase
from forensics.custody import models as custody_models  # noqa: F401

metadata = CaseBase.metadata
