"""Runs the extractors' walks concurrently in a small pool and feeds their rows to the output tables.

Every request still goes through the client's one rate limiter, so concurrency only fills the budget that a
single cursor walk leaves idle while it waits for the network. A walk can hand out further walks (one per
segment, one per batch of people); when the pool is saturated, the walk that made them runs them itself, so
memory stays bounded and nothing can deadlock. The first failure cancels the rest of the run, except a 403
when the configuration says to skip forbidden datasets: then that dataset's walks stop, its tables are dropped
and the rest of the run goes on.
"""
import logging
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, List, Tuple

from customerio import ForbiddenError
from extractors import Extractor, Kept, Replaced, TableSpec, Walk

log = logging.getLogger(__name__)


class WalkFailed(Exception):
    """A walk raised: carries the dataset name so the error message can say which one."""

    def __init__(self, dataset: str, label: str, error: BaseException):
        super().__init__(f"{dataset} ({label}): {error}")
        self.dataset = dataset
        self.label = label
        self.error = error


class Runner:
    def __init__(self, client, tables, workers: int = 8, progress_every: float = 10.0,
                 skip_forbidden: bool = False):
        self.client = client
        self.tables = tables
        self.workers = workers
        self.progress_every = progress_every
        self.skip_forbidden = skip_forbidden
        self.rows: Dict[str, int] = defaultdict(int)      # per extractor, for the progress log
        #: dataset -> why it was skipped (the 403 it got), when skip_forbidden is on
        self.skipped: Dict[str, str] = {}
        self._rows_lock = threading.Lock()
        self._writers = {}
        self._table_datasets: Dict[str, str] = {}
        self._declare_lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(workers * 2)
        self._done = threading.Condition()
        self._outstanding = 0
        self._errors: List[WalkFailed] = []
        self._pool = None

    def run(self, extractors: List[Extractor]) -> None:
        for extractor in extractors:
            for table, columns in extractor.seed_columns().items():
                self.tables.seed_columns(table, columns)
        for extractor in extractors:
            for spec in extractor.tables():
                self._declare(spec, extractor.dataset_of(spec.name))
        started = time.monotonic()
        stop_progress = threading.Event()
        reporter = threading.Thread(target=self._report, args=(stop_progress, started, [e.name for e in extractors]),
                                    name="progress", daemon=True)
        reporter.start()
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="walk")
        try:
            for extractor in extractors:
                for walk in extractor.walks():
                    self._submit(walk, extractor.name)
            with self._done:
                while self._outstanding:
                    self._done.wait()
        finally:
            stop_progress.set()
            self._pool.shutdown(wait=True)
            reporter.join()
        if self._errors:
            raise self._errors[0]
        for table, dataset in sorted(self._table_datasets.items()):
            if dataset in self.skipped:
                self.tables.drop(table)

    # ------------------------------------------------------------------ internals
    def _declare(self, spec: TableSpec, dataset: str):
        with self._declare_lock:
            writer = self._writers.get(spec.name)
            if writer is None:
                writer = self.tables.declare(spec.name, list(spec.primary_key), spec.expand, columns=spec.columns,
                                             partition=spec.partition, description=spec.description,
                                             load=spec.load)
                self._writers[spec.name] = writer
            self._table_datasets.setdefault(spec.name, dataset)
            return writer

    def _submit(self, walk: Walk, owner: str, slot: bool = False) -> None:
        with self._done:
            self._outstanding += 1
        self._pool.submit(self._execute, walk, owner, slot)

    def _spawn(self, walk: Walk, owner: str) -> None:
        if self._slots.acquire(blocking=False):
            self._submit(walk, owner, slot=True)
        else:
            self._drain(walk, owner)

    def _execute(self, walk: Walk, owner: str, slot: bool) -> None:
        try:
            skipped = all(dataset in self.skipped for dataset in _datasets(walk, owner))
            if not self.client.cancel_event.is_set() and not skipped:
                self._drain(walk, owner)
        except BaseException as error:  # noqa: B902 - every failure must reach the main thread
            failure = error if isinstance(error, WalkFailed) else WalkFailed(_names(walk, owner), walk.label, error)
            if not self._skip(failure, walk, owner):
                with self._done:
                    self._errors.append(failure)
                self.client.cancel_event.set()
        finally:
            if slot:
                self._slots.release()
            with self._done:
                self._outstanding -= 1
                self._done.notify_all()

    def _skip(self, failure: WalkFailed, walk: Walk, owner: str) -> bool:
        """A 403 with skip_forbidden: note the datasets as skipped instead of failing the run."""
        if not (self.skip_forbidden and isinstance(failure.error, ForbiddenError)):
            return False
        error = failure.error
        with self._done:
            for dataset in _datasets(walk, owner):
                if dataset not in self.skipped:
                    self.skipped[dataset] = f"{error.endpoint} answered 403 ({error.detail})"
                    log.warning("Skipping %s: %s. The API key may not read it (its scope in Customer.io, or an IP "
                                "allowlist); its tables are not written this run.", dataset, self.skipped[dataset])
        return True

    def _drain(self, walk: Walk, owner: str) -> None:
        writers = self._writers
        datasets = _datasets(walk, owner)
        rows = 0
        try:
            for item in walk.run():
                if isinstance(item, Walk):
                    self._spawn(item, owner)
                    continue
                if isinstance(item, (Replaced, Kept)):
                    if item.spec.name not in writers:
                        self._declare(item.spec, datasets[0])
                    if isinstance(item, Replaced):
                        self.tables.replaced(item.spec.name, item.value)
                    else:
                        self.tables.kept(item.spec.name, item.values)
                    continue
                spec, record = item
                writer = writers.get(spec.name) or self._declare(spec, datasets[0])
                writer.write(record)
                rows += 1
                if rows == 1000:
                    self._count(owner, rows)
                    rows = 0
                    if self.client.cancel_event.is_set() or any(d in self.skipped for d in datasets):
                        return
        except WalkFailed:
            raise
        except BaseException as error:  # noqa: B902
            raise WalkFailed(_names(walk, owner), walk.label, error) from error
        finally:
            self._count(owner, rows)

    def _count(self, owner: str, rows: int) -> None:
        with self._rows_lock:
            self.rows[owner] += rows

    def _report(self, stop: threading.Event, started: float, owners: List[str]) -> None:
        last_requests, last_time = 0, started
        while not stop.wait(self.progress_every):
            now = time.monotonic()
            requests = self.client.request_count
            rate = (requests - last_requests) / max(now - last_time, 1e-6)
            last_requests, last_time = requests, now
            for owner in owners:
                log.info("%s: %s rows so far.", owner, f"{self.rows.get(owner, 0):,}")
            log.info("API: %s requests in %.0f s (%.1f requests/s lately, %s retried).", f"{requests:,}",
                     now - started, rate, f"{self.client.retry_count:,}")


def _datasets(walk: Walk, owner: str) -> Tuple[str, ...]:
    return tuple(walk.datasets) or (owner,)


def _names(walk: Walk, owner: str) -> str:
    return " and ".join(_datasets(walk, owner))
