"""Customers (people) with their attributes, through one of two routes that give the same table.

- `export` (the original component's way): ask Customer.io for an export file, wait until it is ready, download
  it from a signed URL and read it as a stream. Few requests, but the wait depends on Customer.io's queue.
- `api`: page through POST /v1/customers (1000 people a page) and fetch attributes 100 people at a time from
  POST /v1/customers/attributes; each batch is its own walk, so several run at once within the rate limit.

Either way one row per person keyed by `cio_id` (email-only people have no `id`): the identifiers, one column
per attribute (text as Customer.io gives it), `unsubscribed`, and `devices` as JSON text (the api route only:
export files carry no devices). Nothing grows with the number of people: pages and files are streamed.

Every run reads everyone the filter selects, so with Incremental Update the table is replaced (keeping its
primary key): people deleted in Customer.io, or no longer selected, leave Storage (unless keep_deleted_rows).
"""
import logging
import os
import threading
from dataclasses import replace
from typing import Dict, List, Optional

from customerio import ATTRIBUTES_BATCH, PAGE_LIMITS
from customerio.columns import flag, table_description, text
from customerio.columns import person as identifiers_of
from customerio.ids import id_text
from extractors.base import REPLACE, Extractor, TableSpec, Walk
from extractors.customer_export import CustomersExport, export_timing, file_problem, file_rows, header_of

CUSTOMERS = TableSpec("customers", ("cio_id",), columns=identifiers_of("the person") + (
    flag("unsubscribed", "true when the person unsubscribed from your messages."),
    text("devices", "JSON list of the person's devices ({id, platform, last_used, ...}); empty with the export "
                    "method.")),
    description=table_description("People: one row per person, with one column per attribute", ("cio_id",),
                                  "Customer.io's App API: a customers export, or /v1/customers with "
                                  "/v1/customers/attributes"))
IDENTIFIERS = ("cio_id", "id", "email")
STATUS_COLUMNS = ("unsubscribed", "devices")

log = logging.getLogger(__name__)


class _Tally:
    """Counts shared by the search walk and its concurrent batch walks; says who reports at the very end."""

    def __init__(self):
        self._lock = threading.Lock()
        self.found = 0            # people the search returned (with a cio_id)
        self.without_cio_id = 0   # search results we could not fetch (no cio_id)
        self.fetched = 0
        self.missing = 0          # found by the search, absent from /customers/attributes
        self.batches = 0
        self._pending = 0
        self._search_done = False
        self._reported = False

    def batch_started(self, size: int) -> None:
        with self._lock:
            self.found += size
            self.batches += 1
            self._pending += 1

    def batch_finished(self, fetched: int, missing: int) -> bool:
        with self._lock:
            self.fetched += fetched
            self.missing += missing
            self._pending -= 1
            return self._last()

    def search_finished(self) -> bool:
        with self._lock:
            self._search_done = True
            return self._last()

    def _last(self) -> bool:
        if self._search_done and not self._pending and not self._reported:
            self._reported = True
            return True
        return False


class CustomersExtractor(Extractor):
    name = "customers"
    order = 20      # exports wait for Customer.io's queue: start that wait early

    def __init__(self, client, settings, state: dict, run_started: int, knobs=None):
        super().__init__(client, settings, state, run_started, knobs)
        self.options = settings.customers
        # attribute columns the configuration asks for (empty: all of them); identifiers are always there
        self.requested = [name for name in self.options.attributes if name not in IDENTIFIERS]
        self.timing = export_timing(self.knobs)
        self.tally = _Tally()
        self.spec = CUSTOMERS if settings.keep_deleted_rows else replace(CUSTOMERS, load=REPLACE)

    def tables(self):
        return [self.spec]

    def seed_columns(self) -> Dict[str, List[str]]:
        """The columns every run has, so even an empty result has a stable header."""
        return {CUSTOMERS.name: list(IDENTIFIERS) + self.requested + list(STATUS_COLUMNS)}

    def walks(self):
        if self.options.method == "export":
            yield Walk("customers export", self._export)
        else:
            yield Walk("customers search", self._search)

    # ------------------------------------------------------------------------------------------ api method
    def _search(self):
        body = {"filter": self.options.filter}
        batch = []
        for page in self.client.paginate("/customers", "identifiers", method="POST", json_body=body,
                                         limit=PAGE_LIMITS["customer_search"]):
            if not page.items and page.body.get("identifiers") is None and page.body.get("ids"):
                # Only `ids` (which email-only people lack) cannot be fetched by cio_id: say so, do not guess.
                log.warning("customers: a search page came without `identifiers`; %d people on it are skipped.",
                            len(page.body["ids"]))
                self.tally.without_cio_id += len(page.body["ids"])
            for person in page.items:
                cio_id = id_text(person.get("cio_id")) if isinstance(person, dict) else None
                if cio_id is None:
                    self.tally.without_cio_id += 1
                    continue
                batch.append({"cio_id": cio_id, "id": id_text(person.get("id")), "email": person.get("email")})
                if len(batch) == ATTRIBUTES_BATCH:
                    yield self._batch_walk(batch)
                    batch = []
        if batch:
            yield self._batch_walk(batch)
        if self.tally.search_finished():
            self._report()

    def _batch_walk(self, people: List[dict]) -> Walk:
        self.tally.batch_started(len(people))
        return Walk(f"customers attributes from {people[0]['cio_id']}", lambda: self._fetch(people))

    def _fetch(self, people: List[dict]):
        wanted = {person["cio_id"]: person for person in people}
        body = self.client.post("/customers/attributes", {"ids": list(wanted)}, params={"id_type": "cio_id"})
        fetched = unexpected = 0
        for item in body.get("customers") or []:
            customer = item.get("customer") if isinstance(item, dict) and "customer" in item else item
            if not isinstance(customer, dict):
                continue
            person = wanted.pop(_cio_id_of(customer, wanted), None)
            if person is None:      # not asked for in this batch, or a repeat: its own batch writes it
                unexpected += 1
                continue
            yield self.spec, self._api_row(customer, person)
            fetched += 1
        if wanted:
            log.debug("customers: %d of %d people of a batch were missing from /customers/attributes: %s",
                      len(wanted), len(people), ", ".join(sorted(wanted)[:10]))
        if unexpected:
            log.debug("customers: ignored %d items of /customers/attributes that this batch did not ask for.",
                      unexpected)
        if self.tally.batch_finished(fetched, len(wanted)):
            self._report()

    def _api_row(self, customer: dict, person: dict) -> dict:
        attributes = customer.get("attributes")
        attributes = attributes if isinstance(attributes, dict) else {}
        identifiers = customer.get("identifiers")
        identifiers = identifiers if isinstance(identifiers, dict) else {}
        row = {key: identifiers.get(key) or person.get(key) or attributes.get(key) or None for key in IDENTIFIERS}
        row["cio_id"], row["id"] = id_text(row["cio_id"]), id_text(row["id"])
        if self.options.attributes:
            for name in self.requested:
                row[name] = attributes.get(name)
        else:
            for name, value in attributes.items():
                row.setdefault(name, value)
        unsubscribed = customer.get("unsubscribed")
        row["unsubscribed"] = unsubscribed if isinstance(unsubscribed, bool) else attributes.get("unsubscribed")
        row["devices"] = customer.get("devices")
        return row

    def _report(self) -> None:
        tally = self.tally
        log.info("customers: the search found %s people; %s fetched in %s batches of attributes.",
                 f"{tally.found:,}", f"{tally.fetched:,}", f"{tally.batches:,}")
        if tally.missing:
            log.warning("customers: %s of the %s people found by the search were missing from the "
                        "/customers/attributes answers (most likely deleted during the run); they are not in the "
                        "table.", f"{tally.missing:,}", f"{tally.found:,}")
        if tally.without_cio_id:
            log.warning("customers: %s search results had no cio_id and were skipped.", f"{tally.without_cio_id:,}")

    # ------------------------------------------------------------------------------------------ export method
    def _export(self):
        export = CustomersExport(self.client, self.options.export_timeout_minutes, self.timing)
        # `unsubscribed` is a column of both methods; the export has it only when asked for.
        attributes = list(self.options.attributes) + \
            ([] if not self.options.attributes or "unsubscribed" in self.options.attributes else ["unsubscribed"])
        export_id, job = export.create(self.options.filter, attributes)
        job = export.wait(export_id, job)
        path, size = export.download(export_id)
        try:
            problem = file_problem(path)
            if problem is None:
                header = header_of(path)
                rows, skipped = yield from _tagged(self.spec, file_rows(path, self._export_columns(header),
                                                                        self._absent_columns(header)))
        finally:
            os.remove(path)
        if problem is not None:
            log.warning("customers: the file of export %s %s, so it cannot fill the customers table; this run reads "
                        "everyone with the api method instead (about 1 request per 100 people). If it keeps "
                        "happening, set customers method to \"api\".", export_id, problem)
            yield from self._search()
            return
        if skipped:
            log.warning("customers: %s rows of export %s had an empty cio_id and were skipped.", f"{skipped:,}",
                        export_id)
        total = job.get("total")
        log.info("customers: export %s gave %s rows (%s bytes downloaded).", export_id, f"{rows:,}", f"{size:,}")
        if isinstance(total, int) and total and total != rows:
            log.warning("customers: Customer.io reported %s people in export %s but its file held %s rows.",
                        f"{total:,}", export_id, f"{rows:,}")

    def _export_columns(self, header: List[str]) -> List[tuple]:
        """(position, name) of the file's columns this table keeps; the first of repeated names wins."""
        keep = (set(IDENTIFIERS) | set(self.requested) | {"unsubscribed"}) if self.options.attributes else None
        columns, seen = [], set()
        for position, name in enumerate(header):
            if name and name not in seen and (keep is None or name in keep):
                columns.append((position, name))
                seen.add(name)
        return columns

    def _absent_columns(self, header: List[str]) -> List[str]:
        """Columns the api method would have that the file lacks: asked-for attributes, unsubscribed, devices."""
        present = set(header)
        return [name for name in self.requested + list(STATUS_COLUMNS) + ["id", "email"] if name not in present]


def _cio_id_of(customer: dict, wanted: dict) -> Optional[str]:
    """The cio_id of a /customers/attributes item, wherever this API version put it."""
    identifiers = customer.get("identifiers") if isinstance(customer.get("identifiers"), dict) else {}
    attributes = customer.get("attributes") if isinstance(customer.get("attributes"), dict) else {}
    candidates = (identifiers.get("cio_id"), attributes.get("cio_id"), customer.get("cio_id"), customer.get("id"))
    for candidate in map(id_text, candidates):
        if candidate in wanted:
            return candidate
    return None


def _tagged(spec: TableSpec, rows):
    """(spec, row) for every row of a generator; returns what the generator returns."""
    while True:
        try:
            row = next(rows)
        except StopIteration as done:
            return done.value
        yield spec, row
