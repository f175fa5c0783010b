"""A small Keboola Storage simulator: what a table holds after loading a run's CSVs the way Storage does.

Keboola's output mapping, per table: first the manifest's one delete filter (`delete_where_column` /
`delete_where_values` / `delete_where_operator`: `eq` deletes the rows whose column holds one of the values, `ne`
every other row), then the load: `incremental: false` replaces the table's rows, `incremental: true` upserts on
the primary key (appends without one). Like Storage it refuses what would fail a real load: column names it does
not accept, a CSV that lacks a column the table has, a primary key that differs from the table's (output mapping
says "primary key ... does not match ... in destination table"), and a delete filter it cannot run (an unknown
column or operator, no values: avoid it, Storage's answer to an empty list is not documented).
"""
import re
from typing import Dict, List

VALID_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9_]{0,62}[A-Za-z0-9])?$")
OPERATORS = ("eq", "ne")


class StorageError(AssertionError):
    """The load would fail in Keboola Storage."""


class StoredTable:
    def __init__(self, columns: List[str], primary_key: List[str]):
        self.columns = list(columns)
        self.primary_key = list(primary_key)
        self.rows: List[dict] = []

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
        primary_key = [c["name"] for c in manifest.get("schema", []) if c.get("primary_key")] or \
            list(manifest.get("primary_key") or [])
        table = self.tables.get(name)
        if table is None:
            table = self.tables[name] = StoredTable(header, primary_key)
        missing = [column for column in table.columns if column not in header]
        if missing:
            raise StorageError(f"{name}: the load lacks columns {missing} that the table has")
        if sorted(primary_key) != sorted(table.primary_key):
            raise StorageError(f"{name}: primary key {primary_key} does not match {table.primary_key} in the table")
        for column in header:
            if column not in table.columns:
                table.columns.append(column)
                for row in table.rows:
                    row[column] = ""
        self._delete(name, table, manifest)
        if not manifest.get("incremental"):
            table.rows = self._deduplicated(rows, primary_key, table.columns)
            return
        if not primary_key:
            table.rows.extend(self._full(row, table.columns) for row in rows)
            return
        merged = table.keyed()
        for row in rows:
            merged[tuple(row[c] for c in primary_key)] = self._full(row, table.columns)
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

    @classmethod
    def _deduplicated(cls, rows: List[dict], primary_key: List[str], columns: List[str]) -> List[dict]:
        if not primary_key:
            return [cls._full(row, columns) for row in rows]
        return list({tuple(row[c] for c in primary_key): cls._full(row, columns) for row in rows}.values())

    def rows(self, name: str) -> List[dict]:
        return self.tables[name].rows
