"""A small Keboola Storage simulator: what a table holds after loading a run's CSVs the way Storage does.

Keboola's output mapping, per table: first the manifest's one delete filter (`delete_where_column` /
`delete_where_values` / `delete_where_operator`: `eq` deletes the rows whose column holds one of the values, `ne`
every other row), then the load: `incremental: false` replaces the table's rows, `incremental: true` upserts on
the primary key (appends without one). Like Storage it refuses what would fail a real load: column names it does
not accept, a CSV that lacks a column the table has, a primary key that differs from the table's (output mapping
says "primary key ... does not match ... in destination table"), and a delete filter it cannot run (an unknown
column or operator, no values: avoid it, Storage's answer to an empty list is not documented).

It reads both manifest formats keboola.component writes (`manifest_format`): the new one (`schema[]`, written
locally and in projects with native data types) and the legacy one (`primary_key`, `metadata`, `column_metadata`,
in projects without). The table and column descriptions and (new format) base types a load carries are kept as
Storage keeps them, as the metadata of the last load.
"""
import re
from typing import Dict, List, Optional

VALID_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9_]{0,62}[A-Za-z0-9])?$")
DESCRIPTION = "KBC.description"
OPERATORS = ("eq", "ne")


class StorageError(AssertionError):
    """The load would fail in Keboola Storage."""


def manifest_format(manifest: dict) -> str:
    """`new` (a `schema` list) or `legacy`."""
    return "new" if "schema" in manifest or manifest.get("manifest_type") else "legacy"


def primary_key(manifest: dict) -> List[str]:
    if manifest_format(manifest) == "new":
        return [column["name"] for column in manifest.get("schema", []) if column.get("primary_key")]
    return list(manifest.get("primary_key") or [])


def table_description(manifest: dict) -> Optional[str]:
    if manifest_format(manifest) == "new":
        return (manifest.get("table_metadata") or {}).get(DESCRIPTION) or manifest.get("description")
    return next((item["value"] for item in manifest.get("metadata", []) if item.get("key") == DESCRIPTION), None)


def column_descriptions(manifest: dict) -> Dict[str, str]:
    if manifest_format(manifest) == "new":
        return {column["name"]: column.get("description") or (column.get("metadata") or {}).get(DESCRIPTION)
                for column in manifest.get("schema", [])
                if column.get("description") or (column.get("metadata") or {}).get(DESCRIPTION)}
    return {name: item["value"] for name, items in (manifest.get("column_metadata") or {}).items()
            for item in items if item.get("key") == DESCRIPTION}


def base_types(manifest: dict) -> Dict[str, str]:
    """Declared base types (new format only: a legacy manifest declares none)."""
    return {column["name"]: column["data_type"]["base"]["type"] for column in manifest.get("schema", [])
            if "base" in column.get("data_type", {})}


#: What a cell holds when it matches a base type (Snowflake parses these; an empty cell is NULL).
FITS = {"INTEGER": re.compile(r"^-?\d+$"), "BOOLEAN": re.compile(r"^(true|false)$")}


def type_mismatches(manifest: dict, rows: List[dict]) -> List[tuple]:
    """(column, value) pairs whose text does not fit the declared base type. Under `hints` Storage keeps the
    column as text and loads them anyway, but the hint would then be a lie; `authoritative` would fail the load."""
    found = []
    for column, base in base_types(manifest).items():
        pattern = FITS.get(base)
        if pattern is None:
            continue
        for row in rows:
            value = row.get(column, "")
            if value != "" and not pattern.match(value):
                found.append((column, value))
                break
    return found


def check_manifest(name: str, manifest: dict, header: List[str]) -> None:
    """What Storage's output mapping refuses before loading anything."""
    if manifest_format(manifest) == "new":
        if manifest.get("has_header") is not True:
            raise StorageError(f"{name}: the CSV has a header row but the manifest says has_header false")
        if [column["name"] for column in manifest["schema"]] != header:
            raise StorageError(f"{name}: schema columns differ from the CSV header")
        both = [column["name"] for column in manifest["schema"]
                if column.get("description") and DESCRIPTION in (column.get("metadata") or {})]
        if both:
            raise StorageError(f'{name}: Only one of "description" or "metadata.KBC.description" can be defined '
                               f"({both})")
        return
    if "columns" in manifest:
        raise StorageError(f"{name}: a legacy manifest with `columns` loads the CSV's header row as data")
    unknown = sorted(set(manifest.get("column_metadata") or {}) - set(header))
    if unknown:
        raise StorageError(f"{name}: column metadata for columns the CSV lacks: {unknown}")
    if not set(primary_key(manifest)) <= set(header):
        raise StorageError(f"{name}: primary key {primary_key(manifest)} not in the CSV header")


class StoredTable:
    def __init__(self, columns: List[str], primary_key: List[str]):
        self.columns = list(columns)
        self.primary_key = list(primary_key)
        self.rows: List[dict] = []
        self.description: Optional[str] = None
        self.column_descriptions: Dict[str, str] = {}
        self.base_types: Dict[str, str] = {}

    def keyed(self) -> Dict[tuple, dict]:
        return {tuple(row[c] for c in self.primary_key): row for row in self.rows}


class Storage:
    def __init__(self):
        self.tables: Dict[str, StoredTable] = {}

    def load(self, result) -> "Storage":
        """Apply every table a run wrote (a helpers.RunResult), as the platform does after a successful job."""
        assert result.exit_code == 0, result.output
        for name in sorted(result.manifests):
            self.load_table(name, result.manifests[name], result.headers[name], result.tables[name])
        return self

    def load_table(self, name: str, manifest: dict, header: List[str], rows: List[dict]) -> None:
        bad = [column for column in header if not VALID_NAME.match(column)]
        if bad or len(set(c.lower() for c in header)) != len(header):
            raise StorageError(f"{name}: Storage refuses the column names {bad or header}")
        check_manifest(name, manifest, header)
        key = primary_key(manifest)
        table = self.tables.get(name)
        if table is None:
            table = self.tables[name] = StoredTable(header, key)
        missing = [column for column in table.columns if column not in header]
        if missing:
            raise StorageError(f"{name}: the load lacks columns {missing} that the table has")
        if sorted(key) != sorted(table.primary_key):
            raise StorageError(f"{name}: primary key {key} does not match {table.primary_key} in the table")
        for column in header:
            if column not in table.columns:
                table.columns.append(column)
                for row in table.rows:
                    row[column] = ""
        self._describe(table, manifest)
        self._delete(name, table, manifest)
        if not manifest.get("incremental"):
            table.rows = self._deduplicated(rows, key, table.columns)
            return
        if not key:
            table.rows.extend(self._full(row, table.columns) for row in rows)
            return
        merged = table.keyed()
        for row in rows:
            merged[tuple(row[c] for c in key)] = self._full(row, table.columns)
        table.rows = list(merged.values())

    @staticmethod
    def _delete(name: str, table: StoredTable, manifest: dict) -> None:
        column = manifest.get("delete_where_column")
        if not column:
            return
        values, operator = manifest.get("delete_where_values"), manifest.get("delete_where_operator", "eq")
        if column not in table.columns:
            raise StorageError(f"{name}: cannot delete where {column}: the table has no such column")
        if operator not in OPERATORS:
            raise StorageError(f"{name}: unknown delete operator {operator!r}")
        if not isinstance(values, list) or not values:
            raise StorageError(f"{name}: a delete filter on {column} without values")
        values = set(values)
        keep = (lambda row: row.get(column) not in values) if operator == "eq" else \
            (lambda row: row.get(column) in values)
        table.rows = [row for row in table.rows if keep(row)]

    @staticmethod
    def _full(row: dict, columns: List[str]) -> dict:
        return {**{c: "" for c in columns}, **row}

    @staticmethod
    def _describe(table: StoredTable, manifest: dict) -> None:
        table.description = table_description(manifest) or table.description
        table.column_descriptions.update(column_descriptions(manifest))
        table.base_types.update(base_types(manifest))

    @classmethod
    def _deduplicated(cls, rows: List[dict], primary_key: List[str], columns: List[str]) -> List[dict]:
        if not primary_key:
            return [cls._full(row, columns) for row in rows]
        return list({tuple(row[c] for c in primary_key): cls._full(row, columns) for row in rows}.values())

    def rows(self, name: str) -> List[dict]:
        return self.tables[name].rows
