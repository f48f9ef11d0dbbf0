"""Per-region category schemes for VICS category numbers, loaded from a TOML table (data, not code)."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from forensics.core.errors import CategoryError
from forensics.core.resources import resource_path

DEFAULT_TABLE = resource_path("vics_categories.toml")
KINDS = ("alert", "known", "informational")


@dataclass(frozen=True)
class Category:
    """One category number of a scheme: what it is called and what a match means."""

    number: int
    label: str
    kind: str


@dataclass(frozen=True)
class CategoryScheme:
    """A region's numbering (US, Canada, UK): number -> label and kind."""

    region: str
    description: str
    source: str
    confirmed: bool
    uncategorised: str
    categories: dict[int, Category] = field(default_factory=dict)

    def label(self, number: int | None) -> str:
        """Label of a category number in this scheme (absent/null is uncategorised)."""
        if number is None:
            return self.uncategorised
        category = self.categories.get(number)
        return category.label if category else f"unmapped category {number}"

    def kind(self, number: int | None) -> str | None:
        """The kind a category means, or None when the set's kind applies."""
        category = self.categories.get(number) if number is not None else None
        return category.kind if category else None


def table_path() -> Path:
    """The scheme table in force: ``$CUSTOS_CATEGORY_TABLE`` or the bundled one."""
    return Path(os.environ.get("CUSTOS_CATEGORY_TABLE") or DEFAULT_TABLE)


@lru_cache(maxsize=8)
def load_schemes(path: Path) -> dict[str, CategoryScheme]:
    """All schemes of a TOML table, keyed by region name."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CategoryError(f"category table {path}: {exc}") from exc
    schemes: dict[str, CategoryScheme] = {}
    for region, body in data.get("schemes", {}).items():
        categories: dict[int, Category] = {}
        for entry in body.get("categories", []):
            kind = entry.get("kind", "alert")
            if kind not in KINDS:
                raise CategoryError(
                    f"category table {path}: {region} {entry.get('number')}: bad kind {kind!r}"
                )
            categories[int(entry["number"])] = Category(int(entry["number"]), str(entry["label"]), kind)
        schemes[region] = CategoryScheme(
            region=region,
            description=str(body.get("description", "")),
            source=str(body.get("source", "")),
            confirmed=bool(body.get("confirmed", False)),
            uncategorised=str(body.get("uncategorised", "Uncategorised")),
            categories=categories,
        )
    return schemes


def scheme_for(region: str, path: Path | None = None) -> CategoryScheme:
    """The scheme of a region (case-insensitive name), or an error listing the known ones."""
    schemes = load_schemes(path or table_path())
    for name, scheme in schemes.items():
        if name.lower() == region.lower():
            return scheme
    raise CategoryError(f"unknown category region {region!r}; known: {', '.join(sorted(schemes))}")
