"""Output tables: streamed to disk, sticky sorted columns, Storage-safe names, manifests, column state.

Rows are spooled as they arrive to a temporary file, in pickled batches of SPOOL_ROWS rows (each row one
string of cells, in the batch's layout of keys). At the end, one streaming pass writes the CSV with its final
header: the sorted union of this run's columns and the columns of earlier runs. Memory never grows with the
number of rows, and CSV formatting happens once.
"""
import csv
import io
import logging
import operator
import os
import pickle
import re
import shutil
import tempfile
import threading
from itertools import repeat
from typing import Dict, Iterable, List, Mapping, Optional

from keboola.component.dao import BaseType, ColumnDefinition

from output.cells import flatten
from output.names import ColumnNamer, sanitize

log = logging.getLogger(__name__)


class TableWriter:
    """One table: rows are spooled in batches, each batch with its layout (the raw keys of its cells, sorted
    like the final header); finish() turns the spool into the CSV. Once a table's keys settle, the layout equals
    the final header and a spooled row becomes a CSV line by replacing its separators, with no split or
    reordering; a batch from before the last new key is reordered cell by cell."""

    SPOOL_ROWS = 500

    def __init__(self, name: str, primary_key: List[str], expand: Optional[Mapping[str, Optional[int]]],
                 temp_dir: str, sticky: Iterable[str] = (), renamed: Optional[Dict[str, str]] = None):
        self.name = name
        self.primary_key = list(primary_key)
        self.expand = dict(expand or {})
        self.sticky = list(sticky)
        self.namer = ColumnNamer(name, self.sticky, renamed)
        self.rows = 0
        self.columns: List[str] = []
        # Columns this table will have whatever the data: they are in the layout from the start.
        raw_of = {column: raw for raw, column in (renamed or {}).items()}
        self._seeds = {raw_of.get(column, column) for column in self.sticky + self.primary_key}
        self._known = set(self._seeds)                 # raw keys in the layout
        self._from_data = set()                         # raw keys that really came in a record
        self._layout = sorted(self._known, key=sanitize)
        self._batch: List[object] = []
        self._lock = threading.Lock()
        self._spool_path = os.path.join(temp_dir, sanitize(name, "table") + ".spool")
        self._spool = open(self._spool_path, "wb")

    def write(self, record: Mapping) -> None:
        """Add one record (flattened here); safe to call from several threads."""
        row = flatten(record, self.expand)
        with self._lock:
            if not row.keys() <= self._from_data:
                self._learn(row.keys())
            layout = self._layout
            joined = _UNIT.join(map(row.get, layout, repeat("")))
            # One string per row spools far cheaper than a list of cells; the rare row whose text holds the
            # separator itself is kept as a list.
            if joined.count(_UNIT) != len(layout) - 1:
                joined = list(map(row.get, layout, repeat("")))
            self._batch.append(joined)
            self.rows += 1
            if len(self._batch) >= self.SPOOL_ROWS:
                self._flush()

    def _learn(self, keys) -> None:
        self._from_data.update(keys)
        if not self._known >= self._from_data:
            self._flush()                               # a batch keeps one layout
            self._known |= self._from_data
            self._layout = sorted(self._known, key=sanitize)

    def _flush(self) -> None:
        if self._batch:
            pickle.dump((self._layout, self._batch), self._spool, protocol=pickle.HIGHEST_PROTOCOL)
            self._batch = []

    def finish(self, final_path: str) -> List[str]:
        """Write the final CSV with its header; returns the columns in file order."""
        with self._lock:
            self._flush()
            self._spool.close()
        mapping = self.namer.resolve(self._from_data)
        columns = set(self.sticky) | set(mapping.values()) | set(self.primary_key)
        self.columns = sorted(columns)
        width = len(self.columns)
        plans = {}
        with open(self._spool_path, "rb") as spool, open(final_path, "w", newline="", encoding="utf-8") as target:
            lines = _CsvLines(target)
            target.write(lines.quoted(self.columns) + "\n")
            while True:
                try:
                    layout, batch = pickle.load(spool)
                except EOFError:
                    break
                key = tuple(layout)
                plan = plans.get(key) or plans.setdefault(key, self._plan(layout, mapping))
                if plan is None:
                    lines.write_spooled(batch)
                    continue
                pick, padding = plan
                rows = []
                for item in batch:
                    cells = item.split(_UNIT) if type(item) is str else item
                    cells.extend(padding[len(cells):])
                    rows.append(pick(cells))
                lines.write(rows, width)
        os.remove(self._spool_path)
        return self.columns

    def _plan(self, layout: List[str], mapping: Dict[str, str]):
        """None when this layout already is the final header; else how to reorder its cells."""
        names = [mapping.get(raw, raw if raw in self._seeds else None) for raw in layout]
        if names == self.columns:
            return None
        # For each final column, where its cell sits in a spooled row; a column the layout lacks points one
        # past the row's width, where an empty cell is padded in.
        source_of = {}
        for i, raw in enumerate(layout):
            if raw in mapping:
                source_of[mapping[raw]] = i
            elif raw in self._seeds:
                source_of.setdefault(raw, i)
        width = len(layout)
        return _picker([source_of.get(column, width) for column in self.columns]), [""] * (width + 1)

    def discard(self) -> None:
        self._spool.close()
        if os.path.exists(self._spool_path):
            os.remove(self._spool_path)


_UNIT = "\x1f"   # separates the cells of a spooled row
_QUOTE_OR_BREAK = re.compile('["\r\n]').search
_QUOTE_COMMA_OR_BREAK = re.compile('[",\r\n]').search


class _CsvLines:
    """CSV text for rows of str cells, several times faster than csv.writer on a file.

    A row whose cells hold no comma, quote or line break needs no quoting: it is joined in C. Any other row,
    and a row whose only cell is empty, is quoted by the csv module; its line terminator is CRLF so that a lone
    CR inside a cell is quoted too (csv only quotes the characters of its terminator), then dropped.
    """

    def __init__(self, target):
        self._target = target
        self._buffer = io.StringIO()
        self._quoter = csv.writer(self._buffer, lineterminator="\r\n")

    def quoted(self, cells) -> str:
        self._buffer.seek(0)
        self._buffer.truncate()
        self._quoter.writerow(cells)
        return self._buffer.getvalue()[:-2]

    def write_spooled(self, batch) -> None:
        """Spooled rows whose layout is the final header: separators become commas, unless a row needs quoting."""
        lines = []
        for item in batch:
            if type(item) is not str:
                lines.append(self.quoted(item))
            elif _QUOTE_COMMA_OR_BREAK(item) or not item:
                lines.append(self.quoted(item.split(_UNIT)))
            else:
                lines.append(item.replace(_UNIT, ","))
        if lines:
            self._target.write("\n".join(lines) + "\n")

    def write(self, rows, width: int) -> None:
        """Rows of `width` cells each, as CSV lines."""
        lines = []
        commas = width - 1
        for cells in rows:
            line = ",".join(cells)
            # More commas than separators, a quote or a line break: some cell needs quoting.
            if not line or line.count(",") != commas or _QUOTE_OR_BREAK(line):
                line = self.quoted(cells)
            lines.append(line)
        if lines:
            self._target.write("\n".join(lines) + "\n")


def _picker(indices: List[int]):
    """A C-speed function from a list to the cells at `indices`, always as a tuple."""
    if len(indices) == 1:
        only = indices[0]
        return lambda values: (values[only],)
    return operator.itemgetter(*indices)


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
