"""Output tables: streamed to disk, sticky sorted columns, Storage-safe names, manifests, column state.

Rows are written as they arrive to a temporary CSV whose columns grow in order of first appearance (earlier
rows are simply shorter). At the end, one streaming pass rewrites the file with its final header: the sorted
union of this run's columns and the columns of earlier runs, so memory never grows with the number of rows.
"""
import csv
import logging
import os
import shutil
import tempfile
import threading
from typing import Dict, Iterable, List, Mapping, Optional

from keboola.component.dao import BaseType, ColumnDefinition

from output.cells import flatten
from output.names import ColumnNamer, sanitize

log = logging.getLogger(__name__)
csv.field_size_limit(1 << 30)


class TableWriter:
    def __init__(self, name: str, primary_key: List[str], expand: Optional[Mapping[str, Optional[int]]],
                 temp_dir: str, sticky: Iterable[str] = (), renamed: Optional[Dict[str, str]] = None):
        self.name = name
        self.primary_key = list(primary_key)
        self.expand = dict(expand or {})
        self.sticky = list(sticky)
        self.namer = ColumnNamer(name, self.sticky, renamed)
        self.rows = 0
        self.columns: List[str] = []
        self._index: Dict[str, int] = {}
        self._lock = threading.Lock()
        self._temp_path = os.path.join(temp_dir, sanitize(name, "table") + ".part.csv")
        self._temp = open(self._temp_path, "w", newline="", encoding="utf-8")
        self._csv = csv.writer(self._temp, lineterminator="\n")

    def write(self, record: Mapping) -> None:
        """Add one record (flattened here); safe to call from several threads."""
        row = flatten(record, self.expand)
        with self._lock:
            index = self._index
            if not index.keys() >= row.keys():
                for key in row:
                    if key not in index:
                        index[key] = len(index)
            values = [""] * len(index)
            for key, value in row.items():
                values[index[key]] = value
            self._csv.writerow(values)
            self.rows += 1

    def write_flat(self, header: List[str], rows: Iterable[List[str]]) -> None:
        """Add rows that are already flat text (an export file): `header` names their cells."""
        with self._lock:
            positions = []
            for key in header:
                if key not in self._index:
                    self._index[key] = len(self._index)
                positions.append(self._index[key])
            width = len(self._index)
            for source in rows:
                values = [""] * width
                for position, value in zip(positions, source):
                    values[position] = value
                self._csv.writerow(values)
                self.rows += 1

    def finish(self, final_path: str) -> List[str]:
        """Write the final CSV with its header; returns the columns in file order."""
        self._temp.close()
        raw_keys = list(self._index)
        mapping = self.namer.resolve(raw_keys)
        columns = set(self.sticky) | set(mapping.values()) | set(self.primary_key)
        self.columns = sorted(columns)
        position = {column: i for i, column in enumerate(self.columns)}
        order = [position[mapping[key]] for key in raw_keys]
        width = len(self.columns)
        with open(self._temp_path, newline="", encoding="utf-8") as source, \
                open(final_path, "w", newline="", encoding="utf-8") as target:
            writer = csv.writer(target, lineterminator="\n")
            writer.writerow(self.columns)
            if order == list(range(width)):
                for values in csv.reader(source):
                    if len(values) < width:
                        values.extend([""] * (width - len(values)))
                    writer.writerow(values)
            else:
                for values in csv.reader(source):
                    out = [""] * width
                    for i, value in enumerate(values):
                        out[order[i]] = value
                    writer.writerow(out)
        os.remove(self._temp_path)
        return self.columns

    def discard(self) -> None:
        self._temp.close()
        if os.path.exists(self._temp_path):
            os.remove(self._temp_path)


class OutputTables:
    """Every table of one run; writes CSVs and manifests at the end and hands back the column state."""

    STATE_KEY = "tables"

    def __init__(self, component, incremental: bool, state: Optional[dict] = None):
        self._component = component
        self.incremental = incremental
        self._state = {name: dict(value) for name, value in (state or {}).items() if isinstance(value, dict)}
        self._writers: Dict[str, TableWriter] = {}
        self._lock = threading.Lock()
        self._temp_dir = tempfile.mkdtemp(prefix="cio-tables-")

    def seed_columns(self, name: str, columns: Iterable[str]) -> None:
        """Columns that earlier runs (e.g. the original component's state) already put in this table."""
        entry = self._state.setdefault(name, {})
        known = list(entry.get("columns", []))
        for column in columns:
            column = sanitize(column)
            if column not in known:
                known.append(column)
        entry["columns"] = known

    def declare(self, name: str, primary_key: List[str], expand: Optional[Mapping] = None) -> TableWriter:
        """The writer for a table, created on first use; a declared table is written even with no rows."""
        with self._lock:
            writer = self._writers.get(name)
            if writer is None:
                entry = self._state.get(name, {})
                writer = TableWriter(name, primary_key, expand, self._temp_dir,
                                     sticky=entry.get("columns", []), renamed=entry.get("renamed"))
                self._writers[name] = writer
            return writer

    def writer(self, name: str) -> TableWriter:
        return self._writers[name]

    def row_counts(self) -> Dict[str, int]:
        return {name: writer.rows for name, writer in sorted(self._writers.items())}

    def finish(self) -> dict:
        """Final CSVs and manifests for every declared table; returns the column state to persist."""
        for name, writer in sorted(self._writers.items()):
            definition = self._definition(writer)
            writer.finish(definition.full_path)
            definition = self._definition(writer)
            self._component.write_manifest(definition)
            self._state[name] = {"columns": writer.columns}
            if writer.namer.renamed:
                self._state[name]["renamed"] = dict(sorted(writer.namer.renamed.items()))
        shutil.rmtree(self._temp_dir, ignore_errors=True)
        return self._state

    def discard(self) -> None:
        for writer in self._writers.values():
            writer.discard()
        shutil.rmtree(self._temp_dir, ignore_errors=True)

    def _definition(self, writer: TableWriter):
        primary_key = writer.primary_key if self.incremental else []
        schema = {column: ColumnDefinition(data_types=BaseType.string(), nullable=column not in primary_key,
                                           primary_key=column in primary_key)
                  for column in writer.columns}
        return self._component.create_out_table_definition(
            f"{writer.name}.csv", schema=schema or None, primary_key=primary_key or None,
            incremental=self.incremental, has_header=True)
