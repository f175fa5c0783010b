"""A small Keboola Storage simulator: what a table holds after loading a run's CSVs the way Storage does.

Full Load replaces the table. Incremental Update first deletes the rows the manifest names (`delete_where_column`
/ `delete_where_values` / `delete_where_operator`), then upserts on the primary key (appends without one). Like
Storage it refuses what would fail a real load: column names it does not accept, an incremental load whose CSV
lacks a column the table has, or a primary key that differs from the table's.
"""
import re
from typing import Dict, List

VALID_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9_]{0,62}[A-Za-z0-9])?$")


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
        if not manifest.get("incremental") or table is None:
            table = self.tables[name] = StoredTable(header, primary_key)
            table.rows = self._deduplicated(rows, primary_key)
            return
        missing = [column for column in table.columns if column not in header]
        if missing:
            raise StorageError(f"{name}: the incremental load lacks columns {missing} that the table has")
        if primary_key != table.primary_key:
            raise StorageError(f"{name}: primary key {primary_key} differs from the table's {table.primary_key}")
        for column in header:
            if column not in table.columns:
                table.columns.append(column)
                for row in table.rows:
                    row[column] = ""
        column = manifest.get("delete_where_column")
        if column:
            values = set(manifest.get("delete_where_values") or [])
            if manifest.get("delete_where_operator", "eq") == "eq":
                table.rows = [row for row in table.rows if row.get(column) not in values]
            else:
                table.rows = [row for row in table.rows if row.get(column) in values]
        if not primary_key:
            table.rows.extend(dict(row) for row in rows)
            return
        merged = table.keyed()
        for row in rows:
            merged[tuple(row[c] for c in primary_key)] = {**{c: "" for c in table.columns}, **row}
        table.rows = list(merged.values())

    @staticmethod
    def _deduplicated(rows: List[dict], primary_key: List[str]) -> List[dict]:
        if not primary_key:
            return [dict(row) for row in rows]
        return list({tuple(row[c] for c in primary_key): dict(row) for row in rows}.values())

    def rows(self, name: str) -> List[dict]:
        return self.tables[name].rows
