"""Every output table of one run: CSV files, manifests (primary keys, how Storage loads them), and the column state.

The rows themselves stream through one TableWriter per table (output/writer.py). How each table is loaded is
decided here (`_load`), from the configuration's load type, the table's own load mode and what the run says it
wrote completely. With Incremental Update:
- a table the run wrote whole (load mode "replace", or a `kept` mark without values) replaces Storage's table
  (`incremental: false`) and keeps its primary key: Storage refuses a load whose key differs from the table's;
- a table with a partition column (campaign_actions: campaign_id) sends at most one delete filter: the rows of
  the partitions the run `replaced` (operator eq), or every row except those of the partitions it `kept` (ne),
  so rows that vanished upstream leave Storage too; a filter never has an empty list of values;
- any other table is upserted on its primary key.
Full Load replaces every table without primary keys, except tables whose load mode is "incremental".
"""
import logging
import shutil
import tempfile
import threading
from dataclasses import dataclass
from typing import Dict, Iterable, List, Mapping, Optional, Set, Tuple

from output.manifests import Documented, Notes, notes_of, table_definition
from output.names import sanitize, sanitize_all
from output.writer import DEFAULT_MAX_COLUMNS, OTHER_FIELDS, TableWriter

__all__ = ["OutputTables", "TableWriter", "OTHER_FIELDS", "DEFAULT_MAX_COLUMNS"]

log = logging.getLogger(__name__)

REPLACE, INCREMENTAL = "replace", "incremental"      # load modes (extractors.base names them too)
#: A table's own load mode: None follows the configuration's load type (see the module's docstring).
LOAD_MODES = (None, REPLACE, INCREMENTAL)


@dataclass(frozen=True)
class Load:
    """How Storage loads one table of this run."""
    incremental: bool
    keyed: bool                                     # the manifest carries the primary key
    delete_where: Optional[dict] = None


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
        self._kept: Dict[str, Set[str]] = {}            # table -> partition values whose rows stay
        self._loads: Dict[str, Optional[str]] = {}      # table -> load mode (None: the configuration's)
        self._previous_rows = {name: entry.get("rows") for name, entry in self._state.items()}
        self._about: Dict[str, Tuple[str, Notes]] = {}  # table -> its description, documented columns
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
        replace whole groups of rows (see `replaced` and `kept`); `load` is the table's load mode (None,
        "replace", or "incremental": upserted on its primary key even under Full Load, a history such as
        segment_sizes that a replace would erase; see the module's docstring).
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
                self._loads[name] = load
                self._about[name] = (description, notes)
                if partition:
                    self._partitions[name] = partition
                    self._replaced.setdefault(name, set())
            return writer

    def replaced(self, name: str, value) -> None:
        """Every row of table `name` whose partition column holds `value` was written by this run (or there are
        none any more): with Incremental Update, Storage drops that partition's older rows before the load."""
        if name not in self._partitions:
            raise ValueError(f"table {name} has no partition column")
        with self._lock:
            self._replaced[name].add(str(value))

    def kept(self, name: str, values: Iterable = ()) -> None:
        """This run wrote every row of table `name` except those of the partitions `values`, whose rows in Storage
        are still true: with Incremental Update every other row leaves Storage before the load. No values: the
        run wrote the whole table, which is replaced."""
        values = {str(value) for value in values}
        if values and name not in self._partitions:
            raise ValueError(f"table {name} has no partition column")
        with self._lock:
            self._kept.setdefault(name, set()).update(values)

    def drop(self, name: str) -> None:
        """Forget a table this run must not write at all (its dataset was skipped): no file, no manifest."""
        with self._lock:
            writer = self._writers.pop(name, None)
            self._replaced.pop(name, None)
            self._kept.pop(name, None)
        if writer is not None:
            writer.discard()

    def writer(self, name: str) -> TableWriter:
        return self._writers[name]

    def summaries(self) -> Dict[str, str]:
        """Per table, its rows and what the load does to the rows Storage already has, for the job log."""
        return {name: self._summary(name, writer.rows) for name, writer in sorted(self._writers.items())}

    def finish(self) -> dict:
        """Final CSVs and manifests for every declared table; returns the column state to persist."""
        for name, writer in sorted(self._writers.items()):
            definition = self._definition(writer)
            writer.finish(definition.full_path)
            definition = self._definition(writer)
            self._component.write_manifest(definition)
            self._state[name] = {"columns": writer.columns, "rows": writer.rows}
            if writer.namer.renamed:
                self._state[name]["renamed"] = dict(sorted(writer.namer.renamed.items()))
        shutil.rmtree(self._temp_dir, ignore_errors=True)
        return self._state

    def discard(self) -> None:
        for writer in self._writers.values():
            writer.discard()
        shutil.rmtree(self._temp_dir, ignore_errors=True)

    def _definition(self, writer: TableWriter):
        description, notes = self._about.get(writer.name, ("", {}))
        load = self._load(writer.name)
        return table_definition(self._component, writer.name, writer.columns,
                                writer.primary_key if load.keyed else [], load.incremental,
                                load.delete_where, description, notes)

    # ------------------------------------------------------------------ how Storage loads a table
    def _load(self, name: str) -> Load:
        mode, kept = self._loads.get(name), self._kept.get(name)
        whole = kept is not None and not kept
        if mode == INCREMENTAL and whole:
            raise ValueError(f"table {name} is always loaded incrementally; it cannot be replaced")
        if mode != INCREMENTAL and not self.incremental:
            return Load(incremental=False, keyed=False)             # Full Load: replaced, no primary key
        if mode == REPLACE or whole:
            return Load(incremental=False, keyed=True)
        return Load(incremental=True, keyed=True, delete_where=self._delete_where(name))

    def _delete_where(self, name: str) -> Optional[dict]:
        """One filter: the partitions read completely (eq) or those whose rows stay (ne); never an empty list."""
        replaced, kept = self._replaced.get(name), self._kept.get(name)
        if replaced and kept:
            raise ValueError(f"table {name} got both replaced and kept partitions")
        if not replaced and not kept:
            return None
        operator, values = ("eq", replaced) if replaced else ("ne", kept)
        return {"column": self._partitions[name], "values": sorted(values, key=_natural), "operator": operator}

    def _summary(self, name: str, rows: int) -> str:
        text = f"{rows:,} row{'' if rows == 1 else 's'}"
        load = self._load(name)
        if self.incremental and not load.incremental:
            previous = self._previous_rows.get(name)
            return text + (f", replacing the table (the last run wrote {previous:,})"
                           if isinstance(previous, int) and not isinstance(previous, bool) else ", replacing the table")
        where = load.delete_where
        if where:
            count, column = len(where["values"]), where["column"]
            if where["operator"] == "eq":
                return text + f"; first the rows of {count:,} {column} values leave Storage"
            return text + f"; first every row leaves Storage except those of {count:,} {column} values"
        return text


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
