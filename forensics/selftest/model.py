"""The values of a validation run: one ``Check`` per expected fact, and the run that holds them."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Check:
    """One published fact compared with what Custos' engine observed.

    ``area`` groups checks in the report (listing, file hash, stored hash, ...); ``subject`` is the
    reference file; ``source`` says who published ``expected`` and where.
    """

    area: str
    subject: str
    what: str
    expected: str
    observed: str
    passed: bool
    source: str


@dataclass(frozen=True)
class Component:
    """A program or library that took part, with the version it reported about itself."""

    name: str
    version: str
    role: str


@dataclass
class ValidationRun:
    """Everything a validation report states: checks, component versions, machine and times (UTC)."""

    tool: str
    tool_version: str
    started_utc: str
    finished_utc: str = ""
    machine: dict[str, str] = field(default_factory=dict)
    components: list[Component] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)

    @property
    def failed(self) -> list[Check]:
        return [check for check in self.checks if not check.passed]

    @property
    def passed(self) -> bool:
        """True when there was at least one check and none failed."""
        return bool(self.checks) and not self.failed

    @property
    def verdict(self) -> str:
        return "PASS" if self.passed else "FAIL"
