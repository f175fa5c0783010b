"""Runs the extractors' walks concurrently in a small pool and feeds their rows to the output tables.

Every request still goes through the client's one rate limiter, so concurrency only fills the budget that a
single cursor walk leaves idle while it waits for the network. A walk can hand out further walks (one per
segment, one per batch of people); when the pool is saturated, the walk that made them runs them itself, so
memory stays bounded and nothing can deadlock. The first failure cancels the rest of the run.
"""
import logging
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, List

from extractors import Extractor, Replaced, TableSpec, Walk

log = logging.getLogger(__name__)


class WalkFailed(Exception):
    """A walk raised: carries the dataset name so the error message can say which one."""

    def __init__(self, dataset: str, label: str, error: BaseException):
        super().__init__(f"{dataset} ({label}): {error}")
        self.dataset = dataset
        self.label = label
        self.error = error


class Runner:
    def __init__(self, client, tables, workers: int = 8, progress_every: float = 10.0):
        self.client = client
        self.tables = tables
        self.workers = workers
        self.progress_every = progress_every
        self.rows: Dict[str, int] = defaultdict(int)      # per dataset, for the progress log
        self._rows_lock = threading.Lock()
        self._writers = {}
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
                self._declare(spec)
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

    # ------------------------------------------------------------------ internals
    def _declare(self, spec: TableSpec):
        with self._declare_lock:
            writer = self._writers.get(spec.name)
            if writer is None:
                writer = self.tables.declare(spec.name, list(spec.primary_key), spec.expand, columns=spec.columns,
                                             partition=spec.partition)
                self._writers[spec.name] = writer
            return writer

    def _submit(self, walk: Walk, dataset: str, slot: bool = False) -> None:
        with self._done:
            self._outstanding += 1
        self._pool.submit(self._execute, walk, dataset, slot)

    def _spawn(self, walk: Walk, dataset: str) -> None:
        if self._slots.acquire(blocking=False):
            self._submit(walk, dataset, slot=True)
        else:
            self._drain(walk, dataset)

    def _execute(self, walk: Walk, dataset: str, slot: bool) -> None:
        try:
            if not self.client.cancel_event.is_set():
                self._drain(walk, dataset)
        except BaseException as error:  # noqa: B902 - every failure must reach the main thread
            if isinstance(error, WalkFailed):
                failure = error
            else:
                failure = WalkFailed(dataset, walk.label, error)
            with self._done:
                self._errors.append(failure)
            self.client.cancel_event.set()
        finally:
            if slot:
                self._slots.release()
            with self._done:
                self._outstanding -= 1
                self._done.notify_all()

    def _drain(self, walk: Walk, dataset: str) -> None:
        writers = self._writers
        rows = 0
        try:
            for item in walk.run():
                if isinstance(item, Walk):
                    self._spawn(item, dataset)
                    continue
                if isinstance(item, Replaced):
                    if item.spec.name not in writers:
                        self._declare(item.spec)
                    self.tables.replaced(item.spec.name, item.value)
                    continue
                spec, record = item
                writer = writers.get(spec.name) or self._declare(spec)
                writer.write(record)
                rows += 1
                if rows == 1000:
                    self._count(dataset, rows)
                    rows = 0
                    if self.client.cancel_event.is_set():
                        return
        except WalkFailed:
            raise
        except BaseException as error:  # noqa: B902
            raise WalkFailed(dataset, walk.label, error) from error
        finally:
            self._count(dataset, rows)

    def _count(self, dataset: str, rows: int) -> None:
        with self._rows_lock:
            self.rows[dataset] += rows

    def _report(self, stop: threading.Event, started: float, datasets: List[str]) -> None:
        last_requests, last_time = 0, started
        while not stop.wait(self.progress_every):
            now = time.monotonic()
            requests = self.client.request_count
            rate = (requests - last_requests) / max(now - last_time, 1e-6)
            last_requests, last_time = requests, now
            for dataset in datasets:
                log.info("%s: %s rows so far.", dataset, f"{self.rows.get(dataset, 0):,}")
            log.info("API: %s requests in %.0f s (%.1f requests/s lately, %s retried).", f"{requests:,}",
                     now - started, rate, f"{self.client.retry_count:,}")
