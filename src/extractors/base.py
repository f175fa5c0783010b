"""What every dataset extractor looks like.

An extractor turns API pages into records for named tables. It never writes files: its walks yield
`(TableSpec, record)` pairs, further `Walk`s that may run concurrently, `Replaced` marks (every row of one
partition was yielded) or `Kept` marks (every row but those of some partitions was yielded); the runner does the
rest.
"""
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterable, Iterator, List, Optional, Tuple, Union

from configuration.knobs import Knobs
from customerio.columns import Column


#: TableSpec.load values: follow the configuration's load type (None), or always one way.
REPLACE, INCREMENTAL = "replace", "incremental"


@dataclass(frozen=True)
class TableSpec:
    """An output table: its name, primary key, which nested keys expand into columns (depth, None = all), the
    documented columns its header always has (with their types and descriptions), the column by which a run may
    replace whole groups of rows, what the table is (Storage shows it), and how it is loaded: None follows the
    configuration's load type; REPLACE (the run writes the whole table) replaces it every run, keeping its primary
    key under Incremental Update; INCREMENTAL always upserts (appends without a key), also under Full Load (a
    history the run only adds to, such as segment_sizes)."""
    name: str
    primary_key: Tuple[str, ...] = ("id",)
    expand: Dict[str, Optional[int]] = field(default_factory=dict, hash=False, compare=False)
    columns: Tuple[Column, ...] = field(default=(), compare=False)
    partition: Optional[str] = field(default=None, compare=False)
    description: str = field(default="", compare=False)
    load: Optional[str] = field(default=None, compare=False)


@dataclass(frozen=True)
class Replaced:
    """Yielded by a walk once it has yielded every row of `spec` whose partition column is `value` (possibly
    none: an empty or deleted parent). With Incremental Update the older rows of that partition leave Storage."""
    spec: TableSpec
    value: object


@dataclass(frozen=True)
class Kept:
    """Yielded once for a table whose rows this run wrote completely except those of the partitions `values`
    (their rows in Storage are still true): with Incremental Update every other row leaves Storage before the
    load. No values: the run wrote the whole table, which replaces what Storage holds."""
    spec: TableSpec
    values: Tuple[str, ...] = ()


@dataclass
class Walk:
    """An independent unit of work (one cursor walk, one batch); `run()` yields rows and further walks.
    `datasets` names the configuration keys it serves when they differ from its extractor's name."""
    label: str
    run: Callable[[], Iterator[Union[Tuple[TableSpec, dict], "Walk"]]]
    datasets: Tuple[str, ...] = ()


class Extractor:
    """Base class: one per endpoint family."""

    #: dataset name, as in the configuration and in error messages; also its key in state.json
    name = ""
    #: position in logs and summaries (slow datasets first, so their walks start early)
    order = 100

    def __init__(self, client, settings, state: dict, run_started: int, knobs=None):
        self.client = client
        self.settings = settings
        self.state = state or {}            # the whole previous state.json, read-only
        self.run_started = run_started      # unix seconds; "now" for every window of this run
        self.knobs = knobs or Knobs()       # test knobs (knobs.py); the defaults against Customer.io

    @classmethod
    def enabled(cls, settings) -> bool:
        """Whether the configuration asks for this dataset."""
        return bool(getattr(settings, cls.name, None))

    def tables(self) -> List[TableSpec]:
        """Tables known before any data arrives (they are written even when empty)."""
        return []

    def dataset_of(self, table: str) -> str:
        """The configuration key a table of this extractor belongs to (what a 403 skips)."""
        return self.name

    def seed_columns(self) -> Dict[str, List[str]]:
        """Columns earlier runs are known to have put in a table (the original component's state)."""
        return {}

    def walks(self) -> Iterable[Walk]:
        raise NotImplementedError

    @property
    def datasets(self) -> Tuple[str, ...]:
        """The configuration keys this extractor serves."""
        return (self.name,)

    def closing_warnings(self) -> List[str]:
        """What a successful run should warn about at its end, counted while the walks ran (one line each)."""
        return []

    def new_state(self, skipped=frozenset()) -> Optional[dict]:
        """This dataset's state after a successful run (None: it keeps none); `skipped` datasets (a 403 with
        skip_forbidden) keep what the last run stored."""
        return None
