"""Keboola Storage names: [A-Za-z0-9_], no leading or trailing underscore, at most 64 characters, unique ignoring
case. Storage refuses a column that starts or ends with `_` (or `-`), so `revenue ($)` must become `revenue`."""
import logging
import re
from typing import Dict, Iterable, List

MAX_NAME = 64
_INVALID = re.compile(r"[^A-Za-z0-9_]+")

log = logging.getLogger(__name__)


def sanitize(name: str, fallback: str = "column") -> str:
    """The Storage-safe spelling of one name: invalid characters become `_`, none at either end (after the cut)."""
    clean = _INVALID.sub("_", str(name)).strip("_")[:MAX_NAME].rstrip("_")
    return clean or fallback


def sanitize_all(names: Iterable[str]) -> List[str]:
    """Column names remembered from earlier runs, made valid (older runs kept a trailing `_`), duplicates dropped."""
    result, seen = [], set()
    for name in names:
        if isinstance(name, str) and name:
            clean = sanitize(name)
            if clean not in seen:
                seen.add(clean)
                result.append(clean)
    return result


class ColumnNamer:
    """Maps raw record keys to final column names, stable across runs.

    Previously used columns (sticky, from state) keep their names. A new key whose name collides with a taken
    one when case is ignored (`Name` after `name`) gets `_2`, `_3`, ... in sorted key order, so the same keys
    always get the same names; `renamed` remembers those so later runs keep them.
    """

    def __init__(self, table: str, sticky: Iterable[str] = (), renamed: Dict[str, str] = None):
        self.table = table
        self.renamed = dict(renamed or {})
        self._owner = {}      # lower-case column -> raw key that owns it, or None for a sticky column not yet seen
        self._spelling = {}   # lower-case column -> exact spelling
        for column in sticky:
            self._owner.setdefault(column.lower(), None)
            self._spelling.setdefault(column.lower(), column)
        for raw, column in self.renamed.items():
            self._owner[column.lower()] = raw
            self._spelling[column.lower()] = column

    def resolve(self, raw_keys: Iterable[str]) -> Dict[str, str]:
        """Final names for these raw keys (new ones are decided once, in sorted order)."""
        mapping = {}
        for raw in sorted(set(raw_keys)):
            mapping[raw] = self.renamed.get(raw) or self._claim(raw)
        return mapping

    def _claim(self, raw: str) -> str:
        column = sanitize(raw)
        key = column.lower()
        owner = self._owner.get(key, raw)
        if owner == raw or (owner is None and self._spelling[key] == column):
            self._owner[key] = raw
            self._spelling[key] = column
            return column
        variant = self._free_variant(column)
        log.warning("Table %s: column %r collides with column %r when case and special characters are ignored; "
                    "it is written as %r.", self.table, raw, self._spelling[key], variant)
        self._owner[variant.lower()] = raw
        self._spelling[variant.lower()] = variant
        self.renamed[raw] = variant
        return variant

    def _free_variant(self, column: str) -> str:
        n = 2
        while True:
            suffix = f"_{n}"
            candidate = column[:MAX_NAME - len(suffix)] + suffix
            if candidate.lower() not in self._owner:
                return candidate
            n += 1
