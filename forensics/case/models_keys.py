"""The case key wrapped for each examiner on the case (see :mod:`forensics.custody.case_key`)."""

from __future__ import annotations

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from forensics.case.base import CaseBase


class CaseKeyWrap(CaseBase):
    """The case key (of one ``generation``) sealed for the examiner holding ``key_id``."""

    __tablename__ = "case_keys"

    key_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    generation: Mapped[int] = mapped_column(Integer)
    wrapped_json: Mapped[str] = mapped_column(Text)
