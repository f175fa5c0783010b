"""Every output table of one run: CSV files, manifests (primary keys, delete-where), and the column state.

The rows themselves stream through one TableWriter per table (output/writer.py). With Incremental Update a table
may name a partition column (segment_members: segment_id): the manifest then tells Storage to delete the rows of
every partition this run read completely before loading, so rows that vanished upstream leave Storage too.
"""
import logging
import shutil
import tempfile
import threading
from typing import Dict, Iterable, List, Mapping, Optional, Set, Tuple

from output.manifests import Documented, Notes, notes_of, table_definition
from output.names import sanitize, sanitize_all
from output.writer import DEFAULT_MAX_COLUMNS, OTHER_FIELDS, TableWriter

__all__ = ["OutputTables", "TableWriter", "OTHER_FIELDS", "DEFAULT_MAX_COLUMNS"]
#: A table's own load mode: None follows the configuration; "incremental" always upserts.
LOAD_MODES = (None, "incremental")

log = logging.getLogger(__name__)


class OutputTables:
    """Every table of one run; writes CSVs and manifests at the end and hands back the column state."""

    STATE_KEY = "tables"

    def __init__(self, component, incremental: bool, state: Optional[dict] = None,
                 max_columns: int = DEFAULT_MAX_COLUMNS):
        self._component = component
        self.incremental = incremental
        self.max_columns = max_columns
        self._state = {name: _clean_entry(value) for name, value in (state or {}).items() if isinstance(value, dict)}
        self._writers: Dict[str, TableWriter] = {}
        self._partitions: Dict[str, str] = {}           # table -> partition column
        self._replaced: Dict[str, Set[str]] = {}        # table -> partition values read completely
        self._about: Dict[str, Tuple[str, Notes]] = {}  # table -> its description, documented columns
        self._loads: Dict[str, str] = {}                # table -> its own load mode (see declare)
        self._lock = threading.Lock()
        self._temp_dir = tempfile.mkdtemp(prefix="cio-tables-")

    def seed_columns(self, name: str, columns: Iterable[str]) -> None:
        """Columns that earlier runs (e.g. the original component's state) already put in this table."""
        entry = self._state.setdefault(name, {})
        entry["columns"] = sanitize_all(list(entry.get("columns", [])) + list(columns))

    def declare(self, name: str, primary_key: List[str], expand: Optional[Mapping] = None,
                columns: Iterable[Documented] = (), partition: Optional[str] = None,
                description: str = "", load: Optional[str] = None) -> TableWriter:
        """The writer for a table, created on first use; a declared table is written even with no rows.

        `columns` are documented columns the header always has (their types and descriptions go into the
        manifest, as does the table's `description`); `partition` names the column by which this run may
        replace whole groups of rows (see `replaced`); `load` "incremental" upserts the table on its primary key
        even under Full Load (a history such as segment_sizes, which a replace would erase).
        """
        if load not in LOAD_MODES:
            raise ValueError(f"table {name}: unknown load mode {load!r}")
        with self._lock:
            writer = self._writers.get(name)
            if writer is None:
                entry = self._state.get(name, {})
                notes = notes_of(columns)
                writer = TableWriter(name, primary_key, expand, self._temp_dir, sticky=entry.get("columns", []),
                                     renamed=entry.get("renamed"), columns=list(notes), max_columns=self.max_columns)
                self._writers[name] = writer
                self._about[name] = (description, notes)
                if partition:
                    self._partitions[name] = partition
                    self._replaced.setdefault(name, set())
                if load:
                    self._loads[name] = load
            return writer

    def replaced(self, name: str, value) -> None:
        """Every row of table `name` whose partition column holds `value` was written by this run (or there are
        none any more): with Incremental Update, Storage drops that partition's older rows before the load."""
        if name not in self._partitions:
            raise ValueError(f"table {name} has no partition column")
        with self._lock:
            self._replaced[name].add(str(value))

    def drop(self, name: str) -> None:
        """Forget a table this run must not write at all (its dataset was skipped): no file, no manifest."""
        with self._lock:
            writer = self._writers.pop(name, None)
            self._replaced.pop(name, None)
        if writer is not None:
            writer.discard()

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

    def _incremental(self, name: str) -> bool:
        """Whether this table is loaded incrementally: its own load mode, else the configuration's."""
        return self._loads.get(name) == "incremental" or self.incremental

    def _definition(self, writer: TableWriter):
        description, notes = self._about.get(writer.name, ("", {}))
        incremental = self._incremental(writer.name)
        return table_definition(self._component, writer.name, writer.columns,
                                writer.primary_key if incremental else [], incremental,
                                self._delete_where(writer.name), description, notes)

    def _delete_where(self, name: str) -> Optional[dict]:
        """Only an incremental load deletes; Full Load replaces the whole table anyway."""
        values = self._replaced.get(name)
        if not self._incremental(name) or not values:
            return None
        return {"column": self._partitions[name], "values": sorted(values, key=_natural), "operator": "eq"}


def _natural(value: str):
    """Ids in numeric order when they are numbers (2 before 10), so manifests read naturally."""
    return (0, int(value), "") if value.isdigit() else (1, 0, value)


def _clean_entry(entry: dict) -> dict:
    """A table's remembered columns as Storage accepts them (older runs could keep a trailing underscore)."""
    clean = dict(entry)
    if isinstance(entry.get("columns"), list):
        clean["columns"] = sanitize_all(entry["columns"])
    if isinstance(entry.get("renamed"), dict):
        clean["renamed"] = {raw: sanitize(column) for raw, column in entry["renamed"].items()
                            if isinstance(raw, str) and isinstance(column, str)}
    return clean
