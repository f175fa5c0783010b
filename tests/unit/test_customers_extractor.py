"""The customers extractor in-process against the fake API: rows, requests, batches, export polling and files."""
import gzip
import logging
import math
import threading

import pytest

from configuration import EVERYONE, CustomersSettings, Settings
from customerio import CustomerIoClient, NoLimit, RunCancelled
from extractors import Walk, extractor_classes
from extractors.customer_export import (ExportTiming, export_id_of, export_status, export_timing, file_problem,
                                        file_rows, header_of)
from configuration.knobs import Knobs, read_knobs
from extractors.customers import CUSTOMERS, CustomersExtractor
from extractors.errors import DatasetError
from output.cells import flatten

INSTANT = ExportTiming(first=0.001, cap=0.005, growth=1.5, minute=60.0)


class RecordingEvent(threading.Event):
    """A cancel event whose waits return at once and are remembered: polling tests without real sleeping."""

    def __init__(self):
        super().__init__()
        self.waits = []

    def wait(self, timeout=None):
        self.waits.append(timeout)
        return self.is_set()


@pytest.fixture
def client(fake):
    api = CustomerIoClient("test-app-key", fake.url, limiter=NoLimit(), backoff_base=0.01, max_retry_seconds=2)
    yield api
    api.close()


def extractor(client, method="api", attributes=(), customer_filter=None, timeout_minutes=60, timing=INSTANT):
    options = CustomersSettings(filter=customer_filter or dict(EVERYONE), attributes=list(attributes), method=method,
                                export_timeout_minutes=timeout_minutes)
    instance = CustomersExtractor(client, Settings(api_key="k", customers=options), {}, 0)
    instance.timing = timing
    return instance


def drain(instance, walks_seen=None):
    """Run every walk depth-first in this thread; returns the records (the runner does this concurrently)."""
    records = []

    def run(walk):
        for item in walk.run():
            if isinstance(item, Walk):
                if walks_seen is not None:
                    walks_seen.append(item)
                run(item)
            else:
                spec, record = item
                assert spec == CUSTOMERS
                records.append(record)
    for walk in instance.walks():
        run(walk)
    return records


def by_cio_id(records):
    rows = {}
    for record in records:
        assert record["cio_id"] not in rows, "a person came twice"
        rows[record["cio_id"]] = flatten(record)
    return rows


# ---------------------------------------------------------------------------------------------- discovery
def test_extractor_is_discovered_and_enabled_only_when_configured():
    assert CustomersExtractor in extractor_classes()
    assert CustomersExtractor.enabled(Settings(api_key="k", customers=CustomersSettings(filter={}, attributes=[])))
    assert not CustomersExtractor.enabled(Settings(api_key="k"))


def test_table_and_seed_columns(client):
    instance = extractor(client, attributes=["plan", "email", "Company Name"])
    assert instance.tables() == [CUSTOMERS] and CUSTOMERS.primary_key == ("cio_id",)
    assert instance.seed_columns() == {"customers": ["cio_id", "id", "email", "plan", "Company Name",
                                                     "unsubscribed", "devices"]}


# ---------------------------------------------------------------------------------------------- api method
def test_api_method_rows_and_request_cost(fake, client):
    fake.workspace.people = 2345
    rows = by_cio_id(drain(extractor(client)))
    ws = fake.workspace
    assert set(rows) == {ws.person(q)["cio_id"] for q in range(ws.people)}
    searches, fetches = fake.requests("^/v1/customers$"), fake.requests("^/v1/customers/attributes$")
    assert len(searches) == math.ceil(2345 / 1000) and len(fetches) == math.ceil(2345 / 100)
    assert all(r.query["limit"] == "1000" and r.body == {"filter": EVERYONE} for r in searches)
    assert "start" not in searches[0].query and searches[1].query["start"]
    assert all(r.query == {"id_type": "cio_id"} and 1 <= len(r.body["ids"]) <= 100 for r in fetches)
    assert rows["a0000001"] == {"cio_id": "a0000001", "id": "100000", "email": "person0@example.com",
                                "created_at": ws.attributes(0)["created_at"], "plan": "free", "unsubscribed": "true",
                                "devices": '[{"attributes":{"app_version":"1.2.3"},"id":"device-0",'
                                           f'"last_used":{ws.now},"platform":"android"}}]'}
    email_only = rows["a0000008"]
    assert email_only["id"] == "" and email_only["email"] == "person7@example.com"
    assert rows["a0000003"]["Company Name"] == "Company 2" and rows["a0000002"]["devices"] == "[]"


def test_every_batch_is_its_own_walk_of_at_most_100(fake, client):
    fake.workspace.people = 1050
    walks = []
    drain(extractor(client), walks)
    assert len(walks) == 11 and all(w.label.startswith("customers attributes") for w in walks)


def test_search_is_streamed_batches_leave_before_the_search_ends(fake, client):
    fake.workspace.people = 3000
    search = next(iter(extractor(client).walks())).run()
    first = next(search)
    assert isinstance(first, Walk)
    # Its batches leave after the first page: at most one more page was read ahead, the third never.
    assert len(fake.requests("^/v1/customers$")) <= 2
    search.close()


def test_flat_and_wrapped_items_give_the_same_rows(fake, client):
    wrapped = by_cio_id(drain(extractor(client)))
    fake.extras["customers_flat_items"] = True
    assert by_cio_id(drain(extractor(client))) == wrapped


def test_missing_ids_are_counted_and_logged(fake, client, caplog):
    fake.workspace.people = 450
    fake.extras["customers_vanished"] = lambda q: q % 50 == 3
    caplog.set_level(logging.DEBUG, logger="extractors.customers")
    instance = extractor(client)
    rows = drain(instance)
    assert len(rows) == 450 - 9 and instance.tally.missing == 9 and instance.tally.found == 450
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == ["customers: 9 of the 450 people found by the search were missing from the "
                        "/customers/attributes answers (most likely deleted during the run); they are not in the "
                        "table."]
    debug = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG and "missing" in r.getMessage()]
    assert len(debug) == 5 and "2 of 100 people" in debug[0] and "a0000004" in debug[0]


def test_no_warning_when_nothing_is_missing(fake, client, caplog):
    caplog.set_level(logging.INFO, logger="extractors.customers")
    drain(extractor(client))
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert "the search found 200 people; 200 fetched in 2 batches" in caplog.text


def test_the_summary_comes_after_the_last_batch_even_when_batches_finish_late(fake, client, caplog):
    fake.workspace.people = 250
    fake.extras["customers_vanished"] = lambda q: q == 0
    caplog.set_level(logging.INFO, logger="extractors.customers")
    instance = extractor(client)
    batches = [item for item in next(iter(instance.walks())).run()]     # the search ends first
    assert "search found" not in caplog.text
    for batch in batches:
        list(batch.run())
    assert caplog.text.count("search found 250 people; 249 fetched in 3 batches") == 1
    assert "1 of the 250 people" in caplog.text


def test_items_that_were_not_asked_for_are_not_written(fake, client):
    instance = extractor(client)
    rows = list(instance._fetch([{"cio_id": "a0000001", "id": "100000", "email": "person0@example.com"}]))
    assert [record["cio_id"] for _, record in rows] == ["a0000001"]
    stray = {"customers": [{"identifiers": {"cio_id": "zzz"}}, "not an object", {"customer": None}]}
    instance.client = type("Stub", (), {"post": lambda *a, **k: stray})()
    assert list(instance._fetch([{"cio_id": "a0000001", "id": None, "email": None}])) == []
    assert instance.tally.missing == 1


def test_attribute_subset_api(fake, client):
    rows = by_cio_id(drain(extractor(client, attributes=["plan", "email", "nobody_has_it"])))
    assert {tuple(sorted(row)) for row in rows.values()} == \
        {("cio_id", "devices", "email", "id", "nobody_has_it", "plan", "unsubscribed")}
    assert rows["a0000001"]["plan"] == "free" and rows["a0000002"]["plan"] == ""


def test_api_filter_is_sent_as_singular_filter(fake, client):
    segment = {"segment": {"id": 2}}
    rows = by_cio_id(drain(extractor(client, customer_filter=segment)))
    assert set(rows) == {fake.workspace.person(q)["cio_id"] for q in range(0, 200, 3)}
    assert fake.requests("^/v1/customers$")[0].body == {"filter": segment}


def test_search_without_identifiers_is_reported(fake, client, caplog):
    pages = [{"identifiers": None, "ids": ["1", "2"], "next": ""}]
    instance = extractor(client)
    instance.client = type("Stub", (), {"paginate": lambda *a, **k: iter(
        [type("P", (), {"items": [], "body": pages[0]})()])})()
    assert list(next(iter(instance.walks())).run()) == []
    assert instance.tally.without_cio_id == 2
    assert "2 people on it are skipped" in caplog.text and "2 search results had no cio_id" in caplog.text


# ---------------------------------------------------------------------------------------------- export method
def test_export_rows_equal_api_rows_apart_from_devices(fake, client):
    fake.workspace.people = 500
    api_rows = by_cio_id(drain(extractor(client)))
    export_rows = by_cio_id(drain(extractor(client, method="export")))
    assert set(export_rows) == set(api_rows)
    for cio_id, row in export_rows.items():
        assert row.pop("devices") == ""
        api_row = dict(api_rows[cio_id])
        api_row.pop("devices")
        # a file has every column in every row; the api gives each person only the attributes they have
        assert {k: v for k, v in row.items() if v != ""} == {k: v for k, v in api_row.items() if v != ""}
        assert set(api_row) <= set(row)


def test_export_request_and_download(fake, client):
    drain(extractor(client, method="export", attributes=["plan"]))
    create = fake.requests("^/v1/exports/customers$")[0]
    assert create.method == "POST" and create.body == {"filters": EVERYONE, "attributes": ["plan", "unsubscribed"]}
    downloads = fake.requests("^/files/")
    assert len(downloads) == 1 and downloads[0].authorization is None and downloads[0].status == 200


def test_export_without_attribute_list_asks_for_everything(fake, client):
    drain(extractor(client, method="export"))
    assert fake.requests("^/v1/exports/customers$")[0].body == {"filters": EVERYONE}


def test_export_attribute_subset_has_the_api_columns(fake, client):
    attributes = ["plan", "email", "nobody_has_it", "Company Name"]
    export_rows = by_cio_id(drain(extractor(client, method="export", attributes=attributes)))
    api_rows = by_cio_id(drain(extractor(client, attributes=attributes)))
    assert {tuple(sorted(r)) for r in export_rows.values()} == {tuple(sorted(r)) for r in api_rows.values()} == \
        {("Company Name", "cio_id", "devices", "email", "id", "nobody_has_it", "plan", "unsubscribed")}


def test_polling_interval_grows_from_2_to_30_seconds(fake, client):
    fake.extras["export_pending_polls"] = 12
    client.cancel_event = RecordingEvent()
    rows = drain(extractor(client, method="export", timing=ExportTiming()))
    assert len(rows) == 200
    assert client.cancel_event.waits[:8] == pytest.approx([2, 3, 4.5, 6.75, 10.125, 15.1875, 22.78125, 30])
    assert client.cancel_event.waits[8:] == [30] * 5
    assert len(fake.requests(r"^/v1/exports/\d+$")) == 13


def test_failed_export_is_a_user_error(fake, client):
    fake.extras.update(export_failed=True, export_pending_polls=1)
    with pytest.raises(DatasetError, match=r"reported that customers export \d+ failed"):
        drain(extractor(client, method="export"))


def test_failed_flag_alone_counts_as_failed():
    assert export_status({"status": "done", "failed": True}) == "failed"
    assert export_status({"status": "failed"}) == "failed"
    assert export_status({"status": "done"}) == "done"
    assert export_status({"status": "queued"}) == "pending" and export_status({}) == "pending"


def test_export_stuck_pending_times_out(fake, client):
    fake.extras["export_pending_seconds"] = 3600
    timing = ExportTiming(first=0.01, cap=0.05, growth=1.5, minute=0.1)
    with pytest.raises(DatasetError) as raised:
        drain(extractor(client, method="export", timeout_minutes=2, timing=timing))
    assert "was still pending after 2 minutes; raise customers.export_timeout_minutes" in str(raised.value)
    assert len(fake.requests(r"^/v1/exports/\d+$")) >= 3
    assert not fake.requests(r"/download$")


def test_cancelled_run_stops_waiting(fake, client):
    fake.extras["export_pending_seconds"] = 3600
    client.cancel_event.set()
    with pytest.raises(RunCancelled):
        drain(extractor(client, method="export", timing=ExportTiming()))


def test_gzip_export(fake, client):
    fake.extras["export_gzip"] = True
    rows = by_cio_id(drain(extractor(client, method="export")))
    assert len(rows) == 200 and rows["a0000008"]["id"] == ""
    assert fake.extras["files"][fake.requests("^/files/")[0].path][:2] == b"\x1f\x8b"


@pytest.mark.parametrize("switch, why", [
    ("export_without_cio_id", "has no cio_id column, the table's primary key"),
    ("export_without_header", "has no header row"),
    ("export_ragged", "has an unreadable layout: record 3 has")])
def test_export_file_that_cannot_fill_the_table_switches_to_the_api_method(fake, client, caplog, switch, why):
    fake.extras[switch] = True
    rows = by_cio_id(drain(extractor(client, method="export")))
    assert len(rows) == 200 and rows["a0000008"]["id"] == ""            # everybody, email-only people too
    assert len(fake.requests("^/v1/customers/attributes$")) == 2
    assert why in caplog.text and "this run reads everyone with the api method instead" in caplog.text


def test_export_without_download_url(fake, client):
    instance = extractor(client, method="export")
    answers = {"/exports/customers": {"export": {"id": "7", "status": "done"}}, "/exports/7/download": {}}
    instance.client = type("Stub", (), {"post": lambda s, path, body: answers[path],
                                        "get": lambda s, path: answers[path], "cancel_event": threading.Event()})()
    with pytest.raises(DatasetError, match="gave no download URL"):
        drain(instance)


@pytest.mark.parametrize("raw, number", [(110, 110), ("111,", 111), (" 42", 42)])
def test_export_id_is_coerced(raw, number):
    assert export_id_of({"id": raw}) == number


def test_export_without_id_is_a_user_error():
    with pytest.raises(DatasetError, match="without an export id"):
        export_id_of({})


# ---------------------------------------------------------------------------------------------- reading files
def read(client, tmp_path, content: bytes, attributes=()):
    path = tmp_path / "export.csv"
    path.write_bytes(content)
    assert file_problem(str(path)) is None
    instance = extractor(client, method="export", attributes=attributes)
    header = header_of(str(path))
    generator = file_rows(str(path), instance._export_columns(header), instance._absent_columns(header))
    records = []
    try:
        while True:
            records.append(next(generator))
    except StopIteration as stop:
        return records, stop.value


def test_file_with_bom_crlf_quotes_and_short_rows(client, tmp_path):
    content = '\ufeffcio_id,id,email,note,plan\r\n' \
              'a1,1,a@x,"line one\r\nline two, with comma",pro\r\n' \
              'a2,,b@x\r\n' \
              '\r\n'
    records, (count, skipped) = read(client, tmp_path, content.encode())
    assert (count, skipped) == (2, 0)
    assert records[0] == {"cio_id": "a1", "id": "1", "email": "a@x", "note": "line one\r\nline two, with comma",
                          "plan": "pro", "unsubscribed": None, "devices": None}
    assert records[1]["id"] == "" and records[1]["plan"] == "" and records[1]["note"] == ""


def test_file_rows_without_cio_id_are_skipped_and_counted(client, tmp_path):
    records, counts = read(client, tmp_path, b"cio_id,email\na1,a@x\n,b@x\n")
    assert counts == (1, 1) and [r["cio_id"] for r in records] == ["a1"]


def test_file_subset_keeps_only_asked_columns(client, tmp_path):
    records, _ = read(client, tmp_path, b"cio_id,id,email,plan,extra,unsubscribed\na1,1,a@x,pro,zz,false\n",
                      attributes=["plan", "missing"])
    assert records == [{"cio_id": "a1", "id": "1", "email": "a@x", "plan": "pro", "unsubscribed": "false",
                        "missing": None, "devices": None}]


def test_repeated_header_names_keep_the_first(client, tmp_path):
    records, _ = read(client, tmp_path, b"cio_id,plan,plan\na1,first,second\n")
    assert records[0]["plan"] == "first"


def test_gzip_detected_by_magic_bytes_not_by_name(client, tmp_path):
    records, (count, _) = read(client, tmp_path, gzip.compress(b"cio_id,plan\na1,pro\n"))
    assert count == 1 and records[0]["plan"] == "pro"


@pytest.mark.parametrize("content, why", [
    (b"", "has no header row"),
    (b"\n\n", "has no header row"),
    (b"id,email\n1,a@x\n", "has no cio_id column, the table's primary key (its columns: id, email)"),
    (b"a0000001,100001,person1@example.com\n", "has no header row (its first line holds values"),
    (b"cio_id,plan\na1,pro\na2,pro,extra\n", "has an unreadable layout: record 3 has 3 cells where the header has 2"),
    (gzip.compress(("cio_id,plan\n" + "".join(f"a{n},{n * 7919 % 104729}\n" for n in range(5000))).encode())[:2000],
     "could not be read"),
])
def test_file_problems_are_found_before_any_row_is_used(tmp_path, content, why):
    path = tmp_path / "export.csv"
    path.write_bytes(content)
    assert why in file_problem(str(path))


# ---------------------------------------------------------------------------------------------- timing knobs
def test_timing_knobs_apply_only_to_the_fake_api():
    environ = {"CUSTOMERIO_EXPORT_POLL_SECONDS": "0.1", "CUSTOMERIO_EXPORT_MINUTE_SECONDS": "0.5"}
    assert export_timing(read_knobs("https://api.customer.io/v1", environ)) == ExportTiming()
    assert export_timing(read_knobs("https://api-eu.customer.io/v1", environ)) == ExportTiming()
    lab = export_timing(read_knobs("http://127.0.0.1:9999/v1", environ))
    assert (lab.first, lab.cap, lab.minute) == (0.1, pytest.approx(1.5), 0.5)
    assert export_timing(Knobs()) == ExportTiming()
    assert ExportTiming() == ExportTiming(first=2.0, cap=30.0, growth=1.5, minute=60.0)
