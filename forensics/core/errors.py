"""Exceptions of the engine, each carrying one clear line for the examiner."""


class CustosError(Exception):
    """Base of all errors the engine reports to a user."""


class CaseError(CustosError):
    """The case folder or database is missing, invalid, or refuses the operation."""


class EvidenceError(CustosError):
    """An evidence image could not be opened or read."""


class AccessDenied(CustosError):
    """The acting examiner may not perform this operation on this case."""


class CategoryError(CustosError):
    """A category scheme (region) is unknown or its table is unreadable."""
