"""The worker pool: nested walks, saturation, cancellation on failure, progress logs."""
import logging
import threading
import time

import pytest

from extractors.base import Extractor, Kept, Replaced, TableSpec, Walk
from runner import Runner, WalkFailed

TABLE = TableSpec("t", ("id",))


class Client:
    def __init__(self):
        self.cancel_event = threading.Event()
        self.request_count = 0
        self.retry_count = 0


class Writer:
    def __init__(self):
        self.rows = []
        self.lock = threading.Lock()

    def write(self, record):
        with self.lock:
            self.rows.append(record)


class Tables:
    def __init__(self):
        self.writers = {}
        self.loads = {}
        self.replaced_values = {}
        self.kept_values = {}

    def seed_columns(self, name, columns):
        pass

    def declare(self, name, primary_key, expand, columns=(), partition=None, description="", load=None):
        self.loads.setdefault(name, load)
        return self.writers.setdefault(name, Writer())

    def replaced(self, name, value):
        self.replaced_values.setdefault(name, []).append(value)

    def kept(self, name, values=()):
        self.kept_values.setdefault(name, []).append(tuple(values))


class Scripted(Extractor):
    name = ""   # not auto-discovered

    def __init__(self, name, walks):
        super().__init__(None, None, {}, 0)
        self.name = name
        self._walks = walks

    def walks(self):
        return self._walks


def rows_walk(label, ids, delay=0.0):
    def run():
        for i in ids:
            if delay:
                time.sleep(delay)
            yield TABLE, {"id": i}
    return Walk(label, run)


def test_nested_walks_run_even_when_the_pool_is_saturated():
    def parent():
        for n in range(50):
            yield rows_walk(f"child {n}", range(n * 10, n * 10 + 10))
    tables = Tables()
    Runner(Client(), tables, workers=1).run([Scripted("d", [Walk("parent", parent)])])
    assert sorted(row["id"] for row in tables.writers["t"].rows) == list(range(500))


def test_first_failure_cancels_the_rest_and_names_the_dataset():
    client = Client()

    def failing():
        yield TABLE, {"id": 1}
        raise ValueError("boom")

    slow = rows_walk("slow", range(1000), delay=0.01)
    with pytest.raises(WalkFailed) as raised:
        Runner(client, Tables(), workers=2).run([Scripted("messages", [Walk("bad", failing), slow])])
    assert raised.value.dataset == "messages" and raised.value.label == "bad"
    assert isinstance(raised.value.error, ValueError)
    assert client.cancel_event.is_set()


def test_progress_is_logged_while_walks_run(caplog):
    caplog.set_level(logging.INFO, logger="runner")
    runner = Runner(Client(), Tables(), workers=2, progress_every=0.05)
    runner.run([Scripted("activities", [rows_walk("slow", range(1500), delay=0.0002)])])
    progress = [r.getMessage() for r in caplog.records if "rows so far" in r.getMessage()]
    assert progress and all(line.startswith("activities: ") for line in progress)
    assert any("requests/s" in r.getMessage() for r in caplog.records)


def test_load_modes_and_marks_reach_the_tables():
    whole = TableSpec("whole", ("id",), load="replace")
    children = TableSpec("children", ("parent", "id"), partition="parent")
    parts = TableSpec("parts", ("part", "id"), partition="part")

    def walk():
        yield whole, {"id": 1}
        yield Kept(children, ("3", "4"))
        yield Replaced(parts, "a")
        yield Kept(whole)
    tables = Tables()
    Runner(Client(), tables, workers=1).run([Scripted("d", [Walk("w", walk)])])
    assert tables.loads == {"whole": "replace", "children": None, "parts": None}
    assert tables.kept_values == {"children": [("3", "4")], "whole": [()]}
    assert tables.replaced_values == {"parts": ["a"]}
