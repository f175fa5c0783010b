"""Customers (people) with their attributes, through one of two routes that give the same table.

- `export` (the original component's way): ask Customer.io for an export file, wait until it is ready, download
  it from a signed URL and read it as a stream. Few requests, but the wait depends on Customer.io's queue.
- `api`: page through POST /v1/customers (1000 people a page) and fetch attributes 100 people at a time from
  POST /v1/customers/attributes; each batch is its own walk, so several run at once within the rate limit.

Either way one row per person keyed by `cio_id` (email-only people have no `id`): the identifiers, one column
per attribute (text as Customer.io gives it), `unsubscribed`, and `devices` as JSON text (the api route only:
export files carry no devices). Nothing grows with the number of people: pages and files are streamed.
"""
import csv
import gzip
import logging
import os
import re
import tempfile
import threading
import time
import zlib
from dataclasses import dataclass
from typing import Dict, List, Optional

from keboola.component.exceptions import UserException

from customerio import ATTRIBUTES_BATCH, PAGE_LIMITS, RunCancelled, is_customerio_host
from extractors.base import Extractor, TableSpec, Walk

CUSTOMERS = TableSpec("customers", ("cio_id",))
IDENTIFIERS = ("cio_id", "id", "email")
STATUS_COLUMNS = ("unsubscribed", "devices")

# Export polling: start quickly for small exports, then back off so a long queue costs few requests.
POLL_FIRST_SECONDS = 2.0
POLL_MAX_SECONDS = 30.0
POLL_GROWTH = 1.5
# Test knobs, honoured only when the API URL is not one of Customer.io's (the fake API): a first poll interval
# (the cap keeps its 15x ratio) and the length of one "minute" of customers.export_timeout_minutes.
POLL_SECONDS_ENV = "CUSTOMERIO_EXPORT_POLL_SECONDS"
MINUTE_SECONDS_ENV = "CUSTOMERIO_EXPORT_MINUTE_SECONDS"
GZIP_MAGIC = b"\x1f\x8b"

log = logging.getLogger(__name__)
csv.field_size_limit(1 << 30)   # attribute values can be long JSON text


@dataclass(frozen=True)
class ExportTiming:
    first: float = POLL_FIRST_SECONDS
    cap: float = POLL_MAX_SECONDS
    growth: float = POLL_GROWTH
    minute: float = 60.0


def export_timing(base_url: str, environ=os.environ) -> ExportTiming:
    """Real intervals against Customer.io; against the fake API the test knobs may shorten them."""
    if not base_url or is_customerio_host(base_url):
        return ExportTiming()
    first = float(environ.get(POLL_SECONDS_ENV) or POLL_FIRST_SECONDS)
    minute = float(environ.get(MINUTE_SECONDS_ENV) or 60.0)
    return ExportTiming(first=first, cap=first * POLL_MAX_SECONDS / POLL_FIRST_SECONDS, minute=minute)


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

    def __init__(self, client, settings, state: dict, run_started: int):
        super().__init__(client, settings, state, run_started)
        self.options = settings.customers
        # attribute columns the configuration asks for (empty: all of them); identifiers are always there
        self.requested = [name for name in self.options.attributes if name not in IDENTIFIERS]
        self.timing = export_timing(getattr(client, "base_url", ""))
        self.tally = _Tally()

    def tables(self):
        return [CUSTOMERS]

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
                cio_id = person.get("cio_id") if isinstance(person, dict) else None
                if not cio_id or not isinstance(cio_id, str):
                    self.tally.without_cio_id += 1
                    continue
                batch.append({key: person.get(key) for key in IDENTIFIERS})
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
            yield CUSTOMERS, self._api_row(customer, person)
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
        body = {"filters": self.options.filter}
        if self.options.attributes:
            # `unsubscribed` is a column of both methods; the export has it only when asked for.
            body["attributes"] = list(self.options.attributes) + \
                ([] if "unsubscribed" in self.options.attributes else ["unsubscribed"])
        export = self.client.post("/exports/customers", body).get("export") or {}
        export_id = _export_id(export)
        log.info("customers: Customer.io is preparing export %s; waiting up to %d minutes.", export_id,
                 self.options.export_timeout_minutes)
        export = self._wait_for(export_id, export)
        url = self.client.get(f"/exports/{export_id}/download").get("url")
        if not url or not isinstance(url, str):
            raise UserException(f"Customer.io finished customers export {export_id} but gave no download URL; run "
                                f"the extraction again later.")
        handle, path = tempfile.mkstemp(prefix="cio-customers-", suffix=".export")
        os.close(handle)
        try:
            size = self.client.download(url, path)
            rows = yield from self._read_export(path, export_id)
        finally:
            os.remove(path)
        total = export.get("total")
        log.info("customers: export %s gave %s rows (%s bytes downloaded).", export_id, f"{rows:,}", f"{size:,}")
        if isinstance(total, int) and total and total != rows:
            log.warning("customers: Customer.io reported %s people in export %s but its file held %s rows.",
                        f"{total:,}", export_id, f"{rows:,}")

    def _wait_for(self, export_id: int, export: dict) -> dict:
        """Poll the export with a growing interval until it is done; fail on `failed` or past the timeout."""
        minutes = self.options.export_timeout_minutes
        started = time.monotonic()
        deadline = started + minutes * self.timing.minute
        interval = self.timing.first
        next_note = started + self.timing.minute
        while True:
            status = _export_status(export)
            if status == "done":
                return export
            if status == "failed":
                raise UserException(f"Customer.io reported that customers export {export_id} failed; run the "
                                    f"extraction again, and if it keeps failing simplify the filter or use "
                                    f"customers method \"api\".")
            now = time.monotonic()
            if now >= deadline:
                raise UserException(f"Customer.io customers export {export_id} was still pending after {minutes} "
                                    f"minute{'' if minutes == 1 else 's'}; raise customers.export_timeout_minutes "
                                    f"(or use customers method \"api\").")
            if now >= next_note:
                log.info("customers: export %s still pending after %.0f minutes.", export_id,
                         (now - started) / self.timing.minute)
                next_note = now + self.timing.minute
            if self.client.cancel_event.wait(min(interval, deadline - now)):
                raise RunCancelled(f"GET /exports/{export_id}")
            interval = min(interval * self.timing.growth, self.timing.cap)
            export = self.client.get(f"/exports/{export_id}").get("export") or {}

    def _read_export(self, path: str, export_id: int):
        """Rows of the downloaded file (plain or gzip CSV, header = attribute names); returns how many."""
        with open(path, "rb") as probe:
            gzipped = probe.read(2) == GZIP_MAGIC
        opener = gzip.open if gzipped else open
        rows = skipped = 0
        try:
            with opener(path, "rt", encoding="utf-8-sig", errors="replace", newline="") as handle:
                reader = csv.reader(handle)
                header = [name.strip() for name in next(reader, [])]
                if "cio_id" not in header:
                    raise UserException(
                        f"The customers export file has no cio_id column (it has {len(header)} columns), so the "
                        f"customers table's primary key cannot be filled; set customers method to \"api\".")
                columns = self._export_columns(header)
                absent = self._absent_columns(header)
                cio_position = header.index("cio_id")
                for values in reader:
                    if not values:
                        continue
                    if cio_position >= len(values) or not values[cio_position]:
                        skipped += 1
                        continue
                    width = len(values)
                    row = {name: values[i] if i < width else "" for i, name in columns}
                    for name in absent:
                        row[name] = None
                    yield CUSTOMERS, row
                    rows += 1
        except (gzip.BadGzipFile, EOFError, zlib.error, csv.Error) as error:
            raise UserException(f"The customers export file {export_id} could not be read ({error}); run the "
                                f"extraction again.") from None
        if skipped:
            log.warning("customers: %s rows of export %s had an empty cio_id and were skipped.", f"{skipped:,}",
                        export_id)
        return rows

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
    for candidate in candidates:
        if isinstance(candidate, str) and candidate in wanted:
            return candidate
    return None


def _export_id(export: dict) -> int:
    """The export id as an integer (one documented example spells it "111,")."""
    match = re.match(r"\s*(\d+)", str(export.get("id", "")))
    if not match:
        raise UserException("Customer.io answered the customers export request without an export id; run the "
                            "extraction again later or use customers method \"api\".")
    return int(match.group(1))


def _export_status(export: dict) -> str:
    if export.get("failed") is True or export.get("status") == "failed":
        return "failed"
    return "done" if export.get("status") == "done" else "pending"
