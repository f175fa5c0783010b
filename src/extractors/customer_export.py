"""The customers `export` method: ask Customer.io for an export file, wait until it is ready, download it from a
signed URL (without the API key) and read it as a stream.

The file's layout is not documented, so it is checked end to end before a single row is used: a file without a
header row, without `cio_id` (the table's primary key) or with a row wider than its header is not read at all,
and the extractor fetches everyone with the `api` method instead, so the table is never half read.
"""
import csv
import gzip
import logging
import os
import re
import tempfile
import time
import zlib
from dataclasses import dataclass
from typing import Iterator, List, Optional, Tuple

from customerio import RunCancelled, is_customerio_host
from extractors.errors import DatasetError

# Polling: start quickly for small exports, then back off so a long queue costs few requests.
POLL_FIRST_SECONDS = 2.0
POLL_MAX_SECONDS = 30.0
POLL_GROWTH = 1.5
# Test knobs, honoured only when the API URL is not one of Customer.io's (the fake API): a first poll interval
# (the cap keeps its 15x ratio) and the length of one "minute" of customers.export_timeout_minutes.
POLL_SECONDS_ENV = "CUSTOMERIO_EXPORT_POLL_SECONDS"
MINUTE_SECONDS_ENV = "CUSTOMERIO_EXPORT_MINUTE_SECONDS"
GZIP_MAGIC = b"\x1f\x8b"
_UNREADABLE = (gzip.BadGzipFile, EOFError, zlib.error, csv.Error, OSError)

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


class CustomersExport:
    """One export job: create it, wait for it, download its file to a temporary path."""

    def __init__(self, client, timeout_minutes: int, timing: ExportTiming):
        self.client = client
        self.timeout_minutes = timeout_minutes
        self.timing = timing

    def create(self, customer_filter: dict, attributes: List[str]) -> Tuple[int, dict]:
        body = {"filters": customer_filter}
        if attributes:
            body["attributes"] = attributes
        export = self.client.post("/exports/customers", body).get("export") or {}
        export_id = export_id_of(export)
        log.info("customers: Customer.io is preparing export %s; waiting up to %d minutes.", export_id,
                 self.timeout_minutes)
        return export_id, export

    def wait(self, export_id: int, export: dict) -> dict:
        """Poll with a growing interval until the export is done; fail on `failed` or past the timeout."""
        minutes = self.timeout_minutes
        started = time.monotonic()
        deadline = started + minutes * self.timing.minute
        interval = self.timing.first
        next_note = started + self.timing.minute
        while True:
            status = export_status(export)
            if status == "done":
                return export
            if status == "failed":
                raise DatasetError(f"Customer.io reported that customers export {export_id} failed; run the "
                                   f"extraction again, and if it keeps failing simplify the filter or use "
                                   f"customers method \"api\".")
            now = time.monotonic()
            if now >= deadline:
                raise DatasetError(f"Customer.io customers export {export_id} was still pending after {minutes} "
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

    def download(self, export_id: int) -> Tuple[str, int]:
        """The file at a temporary path (the caller removes it) and its size in bytes."""
        url = self.client.get(f"/exports/{export_id}/download").get("url")
        if not url or not isinstance(url, str):
            raise DatasetError(f"Customer.io finished customers export {export_id} but gave no download URL; run "
                               f"the extraction again later.")
        handle, path = tempfile.mkstemp(prefix="cio-customers-", suffix=".export")
        os.close(handle)
        try:
            return path, self.client.download(url, path)
        except BaseException:
            os.remove(path)
            raise


def _open(path: str):
    """The file as text, gunzipped when it starts with gzip's magic bytes (whatever its name or headers say)."""
    with open(path, "rb") as probe:
        gzipped = probe.read(2) == GZIP_MAGIC
    opener = gzip.open if gzipped else open
    return opener(path, "rt", encoding="utf-8-sig", errors="replace", newline="")


def file_problem(path: str) -> Optional[str]:
    """Why this export file cannot give the customers table (None when it can), after reading it to the end."""
    try:
        with _open(path) as handle:
            reader = csv.reader(handle)
            header = [name.strip() for name in next(reader, [])]
            if not any(header):
                return "has no header row"
            if "cio_id" not in header and any("@" in name or name.isdigit() for name in header):
                return "has no header row (its first line holds values, not column names)"   # never log them
            if "cio_id" not in header:
                shown = ", ".join(name for name in header[:8] if name) + (", ..." if len(header) > 8 else "")
                return f"has no cio_id column, the table's primary key (its columns: {shown})"
            for line, values in enumerate(reader, start=2):
                if len(values) > len(header):
                    return (f"has an unreadable layout: record {line:,} has {len(values)} cells where the header "
                            f"has {len(header)}")
    except _UNREADABLE as error:
        return f"could not be read ({error})"
    return None


def file_rows(path: str, columns: List[Tuple[int, str]], absent: List[str]) -> Iterator[dict]:
    """Rows of a checked file: `columns` are (position, name) pairs to keep, `absent` names set to None.
    A row without cio_id is counted in `skipped` of the returned (rows, skipped)."""
    rows = skipped = 0
    with _open(path) as handle:
        reader = csv.reader(handle)
        header = [name.strip() for name in next(reader, [])]
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
            yield row
            rows += 1
    return rows, skipped


def header_of(path: str) -> List[str]:
    with _open(path) as handle:
        return [name.strip() for name in next(csv.reader(handle), [])]


def export_id_of(export: dict) -> int:
    """The export id as an integer (one documented example spells it "111,")."""
    match = re.match(r"\s*(\d+)", str(export.get("id", "")))
    if not match:
        raise DatasetError("Customer.io answered the customers export request without an export id; run the "
                           "extraction again later or use customers method \"api\".")
    return int(match.group(1))


def export_status(export: dict) -> str:
    if export.get("failed") is True or export.get("status") == "failed":
        return "failed"
    return "done" if export.get("status") == "done" else "pending"
