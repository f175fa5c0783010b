"""What a child table remembers of its parents between runs, and which of its rows leave Storage.

Children that change only with their parent (campaign actions, newsletter contents and test groups, transactional
contents) are read again only for parents whose `updated` moved since the last successful run
(extractors/resources.py). The state keeps, per parent whose children Storage holds, the parent's `updated` when
its children were last read and how many rows they gave; `exact` says that Storage holds the children of no other
parent (the last run removed what it had to). With that a run knows exactly which parents it re-reads, which are
unchanged and which no longer exist, and tells Storage in one delete filter (`removal`):
- no parent is left unchanged (all re-read, or none listed): the table is replaced;
- otherwise the shorter of two exact lists: the parents re-read or gone (their rows leave, operator eq), or the
  unchanged ones (every other row leaves, operator ne). A list longer than MAX_DELETE_VALUES would make a
  manifest of hundreds of kilobytes: such a run reads every parent and replaces the table instead.
"""
import logging
import threading
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Set, Tuple

from customerio.ids import id_text

#: The longest delete list a manifest gets (about 100 KB of ids).
MAX_DELETE_VALUES = 10_000
#: Row counts per parent only feed the log ("their 41 actions"): kept up to this many parents (about 130 KB of
#: state); beyond, the log names what leaves without counting it.
MAX_COUNTED_PARENTS = 10_000
UPDATED, ROWS, FULL_REFRESH, EXACT = "updated", "rows", "full_refresh", "exact"
REPLACE, EQ, NE = "replace", "eq", "ne"
SHOWN_IDS = 10
STATE_IDS, STATE_CHILDREN = "ids", "children"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Removal:
    """What leaves Storage before this run's rows of a child table load: everything (replace), the rows of
    `values` (eq) or every row except those of `values` (ne)."""
    operator: str
    values: Tuple[str, ...] = ()

    @property
    def too_long(self) -> bool:
        return len(self.values) > MAX_DELETE_VALUES


class ParentLedger:
    """One child table's parents: as the last successful run left them, and as this run leaves them."""

    def __init__(self, stored):
        stored = stored if isinstance(stored, dict) else {}
        updated = stored.get(UPDATED) if isinstance(stored.get(UPDATED), dict) else {}
        rows = stored.get(ROWS) if isinstance(stored.get(ROWS), dict) else {}
        #: parent id -> its `updated` when its children were last read (None: it has none, read every run)
        self.previous: Dict[str, Optional[str]] = {str(key): id_text(value) for key, value in updated.items()}
        self.previous_rows: Dict[str, int] = {str(key): value for key, value in rows.items() if is_count(value)}
        last = stored.get(FULL_REFRESH)
        self.last_full_refresh: Optional[int] = last if is_count(last) else None
        #: a state of the last run that says nothing about which rows Storage holds (older version, rows kept)
        self.inexact = bool(stored) and stored.get(EXACT) is not True
        self._lock = threading.Lock()
        self._updated: Dict[str, Optional[str]] = {}
        self._rows: Dict[str, int] = {}

    def unchanged(self, parent_id: str, updated: Optional[str]) -> bool:
        """Whether the parent's children in Storage are still true (its `updated` did not move); if so, what the
        state knows of them is carried on."""
        if updated is None or parent_id not in self.previous or self.previous[parent_id] != updated:
            return False
        with self._lock:
            self._updated[parent_id] = updated
            if parent_id in self.previous_rows:
                self._rows[parent_id] = self.previous_rows[parent_id]
        return True

    def read(self, parent_id: str, updated: Optional[str], rows: int) -> None:
        """The parent's children were read completely: `rows` rows, as of its `updated`."""
        with self._lock:
            self._updated[parent_id] = updated
            self._rows[parent_id] = rows

    def gone(self, listed: Set[str]) -> List[str]:
        """Parents whose children Storage holds that the root list no longer has."""
        return [parent_id for parent_id in self.previous if parent_id not in listed]

    def rows_of(self, parent_ids: Iterable[str]) -> Optional[int]:
        """How many child rows these parents had in Storage, when the state knows it for every one of them."""
        counts = [self.previous_rows.get(parent_id) for parent_id in parent_ids]
        return None if any(count is None for count in counts) else sum(counts)

    def removal(self, listed: List[str], reread: Set[str]) -> Removal:
        unchanged = tuple(parent_id for parent_id in listed if parent_id not in reread)
        if not unchanged:
            return Removal(REPLACE)
        leaving = tuple(parent_id for parent_id in listed if parent_id in reread) + tuple(self.gone(set(listed)))
        return Removal(EQ, leaving) if len(leaving) <= len(unchanged) else Removal(NE, unchanged)

    def state(self, listed: Set[str], full_refresh: Optional[int], exact: bool) -> dict:
        """The next run's memory: parents still listed whose children Storage holds, and when all were read."""
        with self._lock:
            entry = {UPDATED: {key: value for key, value in sorted(self._updated.items()) if key in listed}}
            if len(entry[UPDATED]) <= MAX_COUNTED_PARENTS:
                entry[ROWS] = {key: value for key, value in sorted(self._rows.items()) if key in listed}
        if full_refresh is not None:
            entry[FULL_REFRESH] = full_refresh
        if exact:
            entry[EXACT] = True
        return entry


class ParentBook:
    """What one root's extractor remembers between runs: the root's ids (for children that forget gone parents:
    segment membership and usage) and a ParentLedger per child read only for changed parents."""

    def __init__(self, root, children, previous, exact: bool):
        previous = previous if isinstance(previous, dict) else {}
        self.root, self.children, self.exact = root, children, exact
        self.previous_ids = [text for text in map(id_text, previous.get(STATE_IDS) or []) if text]
        stored = previous.get(STATE_CHILDREN) if isinstance(previous.get(STATE_CHILDREN), dict) else {}
        self.stored = {table: entry for table, entry in stored.items() if isinstance(entry, dict)}
        self.ledgers = {child.table: ParentLedger(self.stored.get(child.table)) for child in children
                        if child.changes_with_parent}

    def report_gone(self, ids: List[str], root_written: bool) -> None:
        """Says which parents of the last run no longer exist and which of their rows leave Storage."""
        listed, leaving, staying, gone = set(ids), [], [], set()
        for child in self.children:
            ledger = self.ledgers.get(child.table)
            if ledger is None and not child.forget_gone_parents:
                continue
            lost = ledger.gone(listed) if ledger is not None else [i for i in self.previous_ids if i not in listed]
            gone.update(lost)
            part = (child.label, ledger.rows_of(lost) if ledger is not None else None)
            (leaving if self.exact or child.forget_gone_parents else staying).append(part)
        ordered = sorted(gone, key=natural)
        for parts, leave in ((leaving, True), (staying, False)):
            root_rows = root_written and leave == self.exact
            message = gone_message(self.root, ordered, parts, root_rows, leave) if parts or root_rows else None
            if message:
                log.info(message)

    def state(self, ids: Optional[List[str]], full_refresh: Dict[str, Optional[int]], skipped,
              exact: bool) -> Optional[dict]:
        """The root's state after a successful run; `full_refresh` is, per child, the time of this run's full
        pass (None: none this run); children of `skipped` datasets keep what the last run stored."""
        state = {}
        if ids is not None and any(child.forget_gone_parents for child in self.children):
            state[STATE_IDS] = list(ids)
        entries = {}
        for child in self.children:
            if not child.changes_with_parent:
                continue
            if child.dataset in skipped:
                if child.table in self.stored:
                    entries[child.table] = self.stored[child.table]
                continue
            ledger, now = self.ledgers[child.table], full_refresh.get(child.table)
            entries[child.table] = ledger.state(set(ids or []), ledger.last_full_refresh if now is None else now,
                                                exact)
        if entries:
            state[STATE_CHILDREN] = entries
        return state or None


def natural(value: str):
    """Ids in numeric order when they are numbers (2 before 10)."""
    return (0, int(value), "") if value.isdigit() else (1, 0, value)


def is_count(value) -> bool:
    """A row count as state may hold it: a whole number, not a boolean, not negative."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def gone_message(root, ids: List[str], parts: List[Tuple[str, Optional[int]]], root_rows: bool,
                 leave: bool) -> Optional[str]:
    """"3 campaigns no longer exist in Customer.io (2, 7, 9): their rows and their 41 campaign actions leave
    Storage." `parts` are (child label, rows or None when unknown); parts known to hold no rows are left out."""
    named = ["their rows"] if root_rows else []
    named += [f"their {f'{rows:,} ' if rows is not None else ''}{label}" for label, rows in parts if rows != 0]
    if not ids or not named:
        return None
    singular = root.singular or root.label
    what = f"1 {singular} no longer exists" if len(ids) == 1 else f"{len(ids):,} {root.label} no longer exist"
    shown = ", ".join(ids[:SHOWN_IDS]) + (f" and {len(ids) - SHOWN_IDS:,} more" if len(ids) > SHOWN_IDS else "")
    listed = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
    if len(ids) == 1:
        listed = listed.replace("their ", "its ")
    outcome = "leave Storage" if leave else "stay in Storage (keep_deleted_rows is on)"
    return f"{what} in Customer.io ({shown}): {listed} {outcome}."
