"""The generic extractor: one per root resource of the catalogue (customerio/resources.py), with its children.

A root list is read once and feeds every enabled child: one GET /campaigns writes `campaigns` (when wanted)
and gives the parents of `campaign_actions`. Each child of each parent is its own walk, so the fan-out fills
the rate limit; a child with `lanes` (segment membership: pages of 30,000 people) reads its parents in that
many walks instead, to bound memory.

With Incremental Update, children that change only with their parent (`changes_with_parent`) are read again
only for parents whose `updated` moved since the last successful run, and for all of them every
`full_refresh_days` (extractors/parents.py keeps what the next run needs). With Full Load every child is read.

What stays true in Storage (Incremental Update): Storage holds exactly what exists in Customer.io.
- a root list and a child read for every parent are read whole every run: their tables are replaced (a root
  read per partition whose partition the workspace does not offer is replaced only per partition read);
- a child read only for changed parents gets one delete filter (parents.py): the rows of parents re-read or
  gone leave, those of unchanged parents stay; a full pass replaces the table;
- a parent deleted between listing and reading (404) is skipped with a warning, and its children's rows leave.
With `keep_deleted_rows` (the behaviour before): a child's rows are replaced per parent read completely, rows
of parents that no longer exist stay as they were last seen, except for children marked `forget_gone_parents`
(membership, usage), which are emptied, and a root read per partition (`replace_by`) is replaced per partition.
"""
import logging
import threading
from typing import Dict, Iterator, List, Optional, Set
from urllib.parse import quote

from customerio import ApiError, NotFoundError
from customerio.columns import table_description
from customerio.ids import id_text
from customerio.resources import BY_TABLE, Partition, Resource, children
from extractors.base import INCREMENTAL, REPLACE, Extractor, Kept, Replaced, TableSpec, Walk
from extractors.parents import EQ, REPLACE as EVERYTHING, ParentBook, Removal
from extractors.reading import records

DAY = 86400

log = logging.getLogger(__name__)


def spec_of(resource: Resource, load: Optional[str] = None) -> TableSpec:
    """The table of a catalogue resource; a snapshot history is always loaded incrementally."""
    return TableSpec(resource.table, resource.primary_key, expand=resource.expand, columns=resource.columns,
                     partition=resource.partition_column, load=INCREMENTAL if resource.snapshot else load,
                     description=table_description(resource.row, resource.primary_key,
                                                   f"Customer.io's App API, /v1{resource.path}"))


class ResourceExtractor(Extractor):
    order = 50

    def __init__(self, root: Resource, client, settings, state, run_started, knobs=None):
        super().__init__(client, settings, state, run_started, knobs)
        self.root = root
        self.name = root.table
        self.write_root = settings.enabled(root.dataset)
        self.children = [child for child in children(root.table) if settings.enabled(child.dataset)]
        #: rows of what no longer exists leave Storage (unless the configuration keeps them)
        self.exact = not settings.keep_deleted_rows
        self.specs = {resource.table: spec_of(resource, self._load_mode(resource))
                      for resource in [root] + self.children}
        self.book = ParentBook(root, self.children, self.state.get(self.name), self.exact)
        self._lock = threading.Lock()
        self._ids: Optional[List[str]] = None
        self._full: Dict[str, bool] = {child.table: self._full_pass(child) for child in self.children}
        self._seen_keys: Dict[str, Set[tuple]] = {}
        self._keyless: Dict[str, int] = {}          # table -> records left out for lack of a primary key

    @staticmethod
    def wanted(root: Resource, settings) -> bool:
        return settings.enabled(root.dataset) or any(settings.enabled(c.dataset) for c in children(root.table))

    @property
    def datasets(self) -> tuple:
        """The configuration keys this extractor serves (all fail together when the root cannot be read)."""
        keys = ([self.root.dataset] if self.write_root else []) + [child.dataset for child in self.children]
        return tuple(dict.fromkeys(keys))

    def tables(self):
        return [self.specs[table] for table in self.specs if table != self.root.table or self.write_root]

    def dataset_of(self, table: str) -> str:
        return BY_TABLE[table].dataset

    def _load_mode(self, resource: Resource) -> Optional[str]:
        """What is read whole every run is replaced. The run itself decides for a child read only for changed
        parents (its delete filter) and for a root read per partition (a partition may be missing)."""
        if not self.exact or resource.changes_with_parent or resource.replace_by or resource.snapshot:
            return None
        return REPLACE

    def walks(self):
        yield Walk(self.root.label, self._read_root, datasets=self.datasets)

    # ------------------------------------------------------------------ the root list
    def _read_root(self):
        root, spec = self.root, self.specs[self.root.table]
        parents, ids, known = [], [], set()
        replaced = set(root.replace_values) | {p.row[root.replace_by] for p in root.partitions
                                               if root.replace_by in p.row}
        missing: Set[str] = set()
        for partition in root.partitions or (None,):
            path = _path(root.path, partition.path if partition else {})
            for record in self._offered(root, partition, path, missing):
                for row in self._rows(root, record, partition):
                    if self.write_root:
                        yield spec, row
                    if root.replace_by and row.get(root.replace_by) is not None:
                        replaced.add(str(row[root.replace_by]))
                parent_id = id_text(record.get("id"))
                if self.children and parent_id is not None and parent_id not in known:
                    known.add(parent_id)
                    ids.append(parent_id)
                    parents.append(record)
        replaced.difference_update(str(p.row.get(root.replace_by)) for p in root.partitions if p.name in missing)
        if root.replace_by and self.write_root:
            if self.exact and not missing:
                yield Kept(spec)                    # every partition read: the whole table
            else:
                for value in sorted(replaced):
                    yield Replaced(spec, value)
        with self._lock:
            self._ids = ids
        self.book.report_gone(ids, self.write_root)
        for child in self.children:
            yield from self._fan_out(child, parents, ids)

    def _fan_out(self, child: Resource, parents: List[dict], ids: List[str]) -> Iterator:
        spec = self.specs[child.table]
        if child.forget_gone_parents and not self.exact:
            current = set(ids)
            for parent_id in self.book.previous_ids:
                if parent_id not in current:
                    yield Replaced(spec, parent_id)
        wanted = [parent for parent in parents if self._changed(child, parent)]
        if child.changes_with_parent and self.exact:
            wanted = yield from self._removal(child, parents, ids, wanted)
        self._note_skipped(child, len(parents) - len(wanted))
        if child.lanes:
            for lane in range(min(child.lanes, len(wanted))):
                share = wanted[lane::child.lanes]
                yield Walk(f"{child.label} of {self.root.label} {id_text(share[0].get('id'))}..",
                           lambda share=share, child=child: self._read_children(child, share),
                           datasets=(child.dataset,))
            return
        for parent in wanted:
            yield Walk(f"{child.label} of {self.root.singular or self.root.label} {id_text(parent.get('id'))}",
                       lambda parent=parent, child=child: self._read_children(child, [parent]),
                       datasets=(child.dataset,))

    def _removal(self, child: Resource, parents: List[dict], ids: List[str], wanted: List[dict]):
        """Marks what leaves Storage before this run's rows of `child` load; returns the parents to read."""
        spec, ledger = self.specs[child.table], self.book.ledgers[child.table]
        plan = ledger.removal(ids, {id_text(parent.get("id")) for parent in wanted})
        if plan.too_long:
            log.info("%s: %s %s changed and %s did not; every %s is read this run and the table replaced, instead "
                     "of a delete list of %s ids.", child.table, f"{len(wanted):,}", self.root.label,
                     f"{len(parents) - len(wanted):,}", self.root.singular or "parent", f"{len(plan.values):,}")
            with self._lock:
                self._full[child.table] = True
            wanted, plan = list(parents), Removal(EVERYTHING)
        if plan.operator == EQ:
            for parent_id in plan.values:
                yield Replaced(spec, parent_id)
        else:
            yield Kept(spec, plan.values)
        return wanted

    # ------------------------------------------------------------------ children of one parent
    def _read_children(self, child: Resource, parents: List[dict]):
        spec, ledger = self.specs[child.table], self.book.ledgers.get(child.table)
        for parent in parents:
            parent_id = id_text(parent.get("id"))
            fields = {key: id_text(value) for key, value in parent.items() if not isinstance(value, (dict, list))}
            parent_cells = {column: id_text(parent.get(field)) for column, field in child.from_parent.items()}
            if child.snapshot:
                parent_cells[child.snapshot] = self.run_started
            rows = 0
            try:
                for partition in child.partitions or (None,):
                    path = _path(child.path, {**fields, **(partition.path if partition else {})})
                    for record in records(self.client, child, path, partition.params if partition else None):
                        for row in self._rows(child, record, partition):
                            row.update(parent_cells)
                            rows += 1
                            yield spec, row
            except NotFoundError:
                log.warning("%s %s disappeared while the run was going (404); its %s are skipped%s.",
                            (self.root.singular or self.root.label).capitalize(), parent_id, child.label,
                            " and their rows leave Storage" if (self.exact and not child.snapshot)
                            or child.forget_gone_parents else "")
                if child.forget_gone_parents and not self.exact:
                    yield Replaced(spec, parent_id)
                continue
            if spec.partition and not self.exact:
                yield Replaced(spec, parent_id)
            if ledger is not None:
                ledger.read(parent_id, id_text(parent.get(self.root.updated)), rows)

    def _offered(self, resource: Resource, partition: Optional[Partition], path: str, missing: Set[str]):
        """The records of one partition. One the workspace does not offer (`partitions_may_be_missing`: 400 or 404
        before any record) gives none and is added to `missing`: its rows in Storage are not replaced."""
        found = False
        try:
            for record in records(self.client, resource, path, partition.params if partition else None):
                found = True
                yield record
        except ApiError as error:
            if found or partition is None or not resource.partitions_may_be_missing or error.status not in (400, 404):
                raise
            log.warning("%s: this workspace does not offer %s (%s answered %s: %s); it is skipped, and its rows "
                        "already in Storage stay as they were.", resource.label, partition.name, error.endpoint,
                        error.status, error.detail)
            missing.add(partition.name)

    def _rows(self, resource: Resource, record: dict, partition: Optional[Partition]) -> Iterator[dict]:
        """The rows of one record; a row without its own primary key is counted instead (the spec lets `id` be
        null on actions and contents, and rows with an empty key would collapse into one in Storage)."""
        rows = resource.shape(record, partition) if resource.shape else (dict(record),)
        for row in rows:
            if partition is not None:
                row.update(partition.row)
            if any(id_text(row.get(column)) is None for column in resource.primary_key
                   if column not in resource.from_parent and column != resource.snapshot):
                with self._lock:
                    self._keyless[resource.table] = self._keyless.get(resource.table, 0) + 1
                continue
            if resource.deduplicate and not self._first_time(resource, row):
                continue
            yield row

    def closing_warnings(self) -> List[str]:
        return [f"{table}: {count:,} record{'' if count == 1 else 's'} without {_key_words(BY_TABLE[table])} "
                f"{'was' if count == 1 else 'were'} left out: a row needs its primary key "
                f"({', '.join(BY_TABLE[table].primary_key)})." for table, count in sorted(self._keyless.items())]

    def _first_time(self, resource: Resource, row: dict) -> bool:
        key = tuple(id_text(row.get(column)) for column in resource.primary_key)
        with self._lock:
            seen = self._seen_keys.setdefault(resource.table, set())
            if key in seen:
                return False
            seen.add(key)
            return True

    # ------------------------------------------------------------------ only what changed
    def _full_pass(self, child: Resource) -> bool:
        """Whether every parent's children are read this run."""
        if not child.changes_with_parent or not self.settings.incremental or not self.settings.full_refresh_days:
            return True
        ledger = self.book.ledgers[child.table]
        if ledger.last_full_refresh is None:
            return True
        if self.exact and ledger.inexact:
            log.info("%s: the last run kept the rows of deleted %s (keep_deleted_rows, or an older version of this "
                     "component): every %s is read this run and the table replaced, so Storage holds exactly what "
                     "Customer.io has.", child.table, self.root.label, self.root.singular or "parent")
            return True
        return self.run_started - ledger.last_full_refresh >= self.settings.full_refresh_days * DAY

    def _changed(self, child: Resource, parent: dict) -> bool:
        if self._full[child.table]:
            return True
        ledger = self.book.ledgers[child.table]
        return not ledger.unchanged(id_text(parent.get("id")), id_text(parent.get(self.root.updated)))

    def _note_skipped(self, child: Resource, skipped: int) -> None:
        if not skipped:
            return
        last = self.book.ledgers[child.table].last_full_refresh
        days = self.settings.full_refresh_days
        due = max(0, days - (self.run_started - last) // DAY) if isinstance(last, int) else 0
        log.info("%s: %s %s unchanged since the last run are not read again (every %s is read every %d days; the "
                 "next full pass is due in %d days).", child.table, f"{skipped:,}", self.root.label,
                 self.root.singular or "parent", days, due)

    def new_state(self, skipped=frozenset()) -> Optional[dict]:
        with self._lock:
            ids, full = self._ids, {table: self.run_started if done else None for table, done in self._full.items()}
        # Full Load replaces every table, so Storage then holds exactly what the state says too.
        return self.book.state(ids, full, skipped, exact=self.exact or not self.settings.incremental)


def _key_words(resource: Resource) -> str:
    """The key columns a record must bring itself (not its parent's id, not its partition's value): "`id`"."""
    given = set(resource.from_parent).union(*(partition.row for partition in resource.partitions))
    return " or ".join(f"`{column}`" for column in resource.primary_key if column not in given)


def _path(template: str, values: dict) -> str:
    """The path with its `{placeholders}` filled, each value URL-encoded (object ids are free text)."""
    return template.format(**{key: quote(str(value), safe="") for key, value in values.items() if value is not None})
