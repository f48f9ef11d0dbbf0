"""The row digests kept at the last seal of a case's results (see :mod:`forensics.case.seal`)."""

from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from forensics.case.base import CaseBase


class ResultSealRow(CaseBase):
    """One result row's leaf digest as sealed: its table, evidence item, key (up to three integers, unused
    places 0) and leaf."""

    __tablename__ = "result_seal_rows"

    tbl: Mapped[str] = mapped_column(String(64), primary_key=True)
    item: Mapped[str] = mapped_column(String(200), primary_key=True)
    k1: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    k2: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    k3: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    leaf: Mapped[str] = mapped_column(String(64))
