"""One output table, streamed to disk: spooled rows, sticky sorted columns, a column cap.

Rows are spooled as they arrive to a temporary file, in pickled batches of SPOOL_ROWS rows (each row one
string of cells, in the batch's layout of keys). finish() writes the CSV in one streaming pass with its final
header: the sorted union of this run's columns, the documented columns and the columns of earlier runs. Memory
never grows with the number of rows, and CSV formatting happens once.

Columns come from the data (every `data` key of an activity, every attribute of a person), so a table is capped
at `max_columns`: once it is full, the keys of a row that have no column yet go into one JSON column,
OTHER_FIELDS, instead of widening the table past what Storage and warehouses load.
"""
import logging
import os
import pickle
import threading
from itertools import repeat
from typing import Dict, Iterable, List, Mapping, Optional

import orjson

from output.cells import flatten
from output.csv_lines import UNIT, CsvLines, picker
from output.names import ColumnNamer, sanitize

OTHER_FIELDS = "other_fields"
DEFAULT_MAX_COLUMNS = 1000
#: Distinct overflowing keys counted for the warning; past this the count says "more than".
_OVERFLOW_COUNT_LIMIT = 100_000

log = logging.getLogger(__name__)


class TableWriter:
    """One table: rows are spooled in batches, each batch with its layout (the raw keys of its cells, sorted
    like the final header); finish() turns the spool into the CSV. Once a table's keys settle, the layout equals
    the final header and a spooled row becomes a CSV line by replacing its separators, with no split or
    reordering; a batch from before the last new key is reordered cell by cell."""

    SPOOL_ROWS = 500

    def __init__(self, name: str, primary_key: List[str], expand: Optional[Mapping[str, Optional[int]]],
                 temp_dir: str, sticky: Iterable[str] = (), renamed: Optional[Dict[str, str]] = None,
                 columns: Iterable[str] = (), max_columns: int = DEFAULT_MAX_COLUMNS):
        self.name = name
        self.primary_key = list(primary_key)
        self.expand = dict(expand or {})
        self.sticky = list(sticky)
        self.documented = [column for column in columns if column not in self.primary_key]
        self.max_columns = max_columns
        self.namer = ColumnNamer(name, self.sticky, renamed)
        self.rows = 0
        self.columns: List[str] = []
        # Columns this table has whatever the data: they are in the layout from the start.
        raw_of = {column: raw for raw, column in (renamed or {}).items()}
        self._seeds = {raw_of.get(column, column) for column in self.sticky + self.primary_key + self.documented}
        self._known = set(self._seeds)                 # raw keys in the layout
        self._from_data = set()                         # raw keys that came in a record and have a column
        self._overflow = set()                          # raw keys held in OTHER_FIELDS (counted, bounded)
        self._overflow_more = False
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
                self._learn(row)
            layout = self._layout
            joined = UNIT.join(map(row.get, layout, repeat("")))
            # One string per row spools far cheaper than a list of cells; the rare row whose text holds the
            # separator itself is kept as a list.
            if joined.count(UNIT) != len(layout) - 1:
                joined = list(map(row.get, layout, repeat("")))
            self._batch.append(joined)
            self.rows += 1
            if len(self._batch) >= self.SPOOL_ROWS:
                self._flush()

    def _learn(self, row: dict) -> None:
        """Give the row's new keys columns while there is room; the rest go into OTHER_FIELDS (row is changed)."""
        new = [key for key in row if key not in self._known]
        if new:
            # The last column stays free for OTHER_FIELDS, so the table never passes the cap.
            room = max(self.max_columns - 1 - len(self._known - {OTHER_FIELDS}), 0)
            if len(new) > room:
                new.sort()
                self._spill(row, new[room:])
                new = new[:room] + ([] if OTHER_FIELDS in self._known else [OTHER_FIELDS])
            if new:
                self._flush()                           # a batch keeps one layout
                self._known.update(new)
                self._layout = sorted(self._known, key=sanitize)
        self._from_data.update(key for key in row if key in self._known)

    def _spill(self, row: dict, keys: List[str]) -> None:
        spilled = {key: row.pop(key) for key in keys if key in row}
        if not spilled:
            return
        row[OTHER_FIELDS] = orjson.dumps(spilled, option=orjson.OPT_SORT_KEYS).decode()
        if len(self._overflow) < _OVERFLOW_COUNT_LIMIT:
            self._overflow.update(spilled)
        else:
            self._overflow_more = True

    def _flush(self) -> None:
        if self._batch:
            pickle.dump((self._layout, self._batch), self._spool, protocol=pickle.HIGHEST_PROTOCOL)
            self._batch = []

    def finish(self, final_path: str) -> List[str]:
        """Write the final CSV with its header; returns the columns in file order."""
        with self._lock:
            self._flush()
            self._spool.close()
        self._warn_overflow()
        mapping = self.namer.resolve(self._from_data)
        columns = set(self.sticky) | set(mapping.values()) | set(self.primary_key) | set(self.documented)
        self.columns = sorted(columns)
        width = len(self.columns)
        plans = {}
        with open(self._spool_path, "rb") as spool, open(final_path, "w", newline="", encoding="utf-8") as target:
            lines = CsvLines(target)
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
                    cells = item.split(UNIT) if type(item) is str else item
                    cells.extend(padding[len(cells):])
                    rows.append(pick(cells))
                lines.write(rows, width)
        os.remove(self._spool_path)
        return self.columns

    def _warn_overflow(self) -> None:
        if not self._overflow:
            return
        count = f"more than {len(self._overflow):,}" if self._overflow_more else f"{len(self._overflow):,}"
        log.warning("Table %s reached max_columns (%s columns): %s keys without a column of their own are kept as "
                    "JSON in its %s column. To get columns for the ones you need, pick them (customers: list them "
                    "in customers.attributes) or raise max_columns.", self.name, f"{self.max_columns:,}", count,
                    OTHER_FIELDS)

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
        return picker([source_of.get(column, width) for column in self.columns]), [""] * (width + 1)

    def discard(self) -> None:
        self._spool.close()
        if os.path.exists(self._spool_path):
            os.remove(self._spool_path)
