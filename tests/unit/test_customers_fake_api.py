"""The fake's people endpoints behave like customerio-api.md says, so the extractor's tests mean something."""
import csv
import gzip
import io

import pytest

from customerio import ApiError, CustomerIoClient, NoLimit
from fake_api.endpoints.customers import compile_filter
from fake_api.server import HttpError

EVERYONE = {"attribute": {"field": "cio_id", "operator": "exists"}}


@pytest.fixture
def client(fake):
    api = CustomerIoClient("test-app-key", fake.url, limiter=NoLimit(), backoff_base=0.01, max_retry_seconds=2)
    yield api
    api.close()


def search_all(client, customer_filter, limit=1000):
    found = []
    for page in client.paginate("/customers", "identifiers", method="POST", json_body={"filter": customer_filter},
                                limit=limit):
        found.extend(person["cio_id"] for person in page.items)
    return found


def expected(ws, predicate):
    return [ws.person(q)["cio_id"] for q in range(ws.people) if predicate(q)]


@pytest.mark.parametrize("customer_filter, predicate", [
    (EVERYONE, lambda ws, q: True),
    ({"attribute": {"field": "id", "operator": "exists"}}, lambda ws, q: q % 20 != 7),
    ({"segment": {"id": 2}}, lambda ws, q: q % 3 == 0),
    ({"segment": {"id": 4}}, lambda ws, q: False),       # the last segment is empty
    ({"attribute": {"field": "plan", "operator": "eq", "value": "pro"}}, lambda ws, q: q % 3 == 0 and q % 4 == 1),
    ({"attribute": {"field": "unsubscribed", "operator": "eq", "value": True}}, lambda ws, q: q % 10 == 0),
    ({"attribute": {"field": "first_name", "operator": "exists"}}, lambda ws, q: q % 5 == 1),
    ({"and": [{"segment": {"id": 1}}, {"not": {"attribute": {"field": "plan", "operator": "exists"}}}]},
     lambda ws, q: q % 2 == 0 and q % 3 != 0),
    ({"or": [{"segment": {"id": 3}}, {"attribute": {"field": "email", "operator": "eq",
                                                    "value": "person7@example.com"}}]},
     lambda ws, q: q % 4 == 0 or q == 7),
    ({"not": {"or": [{"segment": {"id": 1}}, {"segment": {"id": 2}}]}}, lambda ws, q: q % 2 and q % 3),
])
def test_search_filter_semantics(fake, client, customer_filter, predicate):
    ws = fake.workspace
    assert search_all(client, customer_filter, limit=7) == expected(ws, lambda q: predicate(ws, q))


def test_search_pages_default_to_50_and_cap_at_1000(fake, client):
    fake.workspace.people = 2500
    assert len(client.post("/customers", {"filter": EVERYONE})["identifiers"]) == 50
    body = client.post("/customers", {"filter": EVERYONE}, params={"limit": 5000})
    assert len(body["identifiers"]) == 1000 and body["next"]
    assert len(search_all(client, EVERYONE)) == 2500
    assert len(fake.requests("^/v1/customers$")) == 2 + 3


def test_search_returns_identifiers_and_ids_with_empty_id_for_email_only_people(fake, client):
    body = client.post("/customers", {"filter": EVERYONE}, params={"limit": 10})
    assert body["identifiers"][7] == {"email": "person7@example.com", "id": None, "cio_id": "a0000008"}
    assert body["ids"][7] == "" and body["ids"][0] == "100000"


@pytest.mark.parametrize("body, fragment", [
    ({}, "filter is required"),
    ({"filters": EVERYONE}, "filter is required"),
    ({"filter": {"segmnt": {"id": 1}}}, "unknown filter key"),
    ({"filter": {"attribute": {"field": "plan", "operator": "gt", "value": "1"}}}, "unknown operator"),
    ({"filter": {"attribute": {"field": "plan", "operator": "eq"}}}, "eq needs a value"),
    ({"filter": {"attribute": {"field": "plan", "operator": "eq", "value": "x", "inverse": True}}}, "only"),
    ({"filter": {"and": []}}, "non-empty array"),
    ({"filter": {"segment": {"id": "1"}}}, "segment"),
])
def test_search_rejects_what_the_api_rejects(client, body, fragment):
    with pytest.raises(ApiError) as raised:
        client.post("/customers", body)
    assert raised.value.status == 400 and fragment in raised.value.detail


def test_filter_engine_rejects_two_keys(fake):
    with pytest.raises(HttpError):
        compile_filter(fake.workspace, {"segment": {"id": 1}, "not": EVERYONE})


def test_attributes_wrapped_by_default_and_flat_on_request(fake, client):
    body = client.post("/customers/attributes", {"ids": ["a0000001", "a0000008"]}, params={"id_type": "cio_id"})
    first = body["customers"][0]["customer"]
    assert first["identifiers"] == fake.workspace.person(0) and first["unsubscribed"] is True
    assert first["attributes"]["plan"] == "free" and first["devices"][0]["id"] == "device-0"
    assert body["customers"][1]["customer"]["identifiers"]["id"] is None
    fake.extras["customers_flat_items"] = True
    flat = client.post("/customers/attributes", {"ids": ["a0000001"]}, params={"id_type": "cio_id"})
    assert flat["customers"] == [first]


def test_attributes_omit_unknown_and_vanished_ids(fake, client):
    fake.extras["customers_vanished"] = lambda q: q == 1
    body = client.post("/customers/attributes", {"ids": ["a0000001", "a0000002", "zzz", "a9999999"]},
                       params={"id_type": "cio_id"})
    assert [c["customer"]["identifiers"]["cio_id"] for c in body["customers"]] == ["a0000001"]


@pytest.mark.parametrize("id_type, value", [("id", "100003"), ("email", "person3@example.com"), ("cio_id", "a0000004")])
def test_attributes_by_each_id_type(client, id_type, value):
    body = client.post("/customers/attributes", {"ids": [value]}, params={"id_type": id_type})
    assert body["customers"][0]["customer"]["identifiers"]["cio_id"] == "a0000004"


@pytest.mark.parametrize("ids", [[], [f"a{q:07x}" for q in range(1, 102)], "a0000001"])
def test_attributes_take_1_to_100_ids(client, ids):
    with pytest.raises(ApiError, match="1 to 100"):
        client.post("/customers/attributes", {"ids": ids}, params={"id_type": "cio_id"})


def test_attributes_reject_unknown_id_type(client):
    with pytest.raises(ApiError, match="id_type"):
        client.post("/customers/attributes", {"ids": ["x"]}, params={"id_type": "phone_number"})


# ---------------------------------------------------------------------------------------------- exports
def finish(client, export_id):
    while client.get(f"/exports/{export_id}")["export"]["status"] == "pending":
        pass
    return client.get(f"/exports/{export_id}/download")["url"]


def read_csv(client, url, tmp_path, gzipped=False):
    path = tmp_path / "export"
    client.download(url, str(path))
    data = path.read_bytes()
    assert (data[:2] == b"\x1f\x8b") is gzipped
    text = (gzip.decompress(data) if gzipped else data).decode()
    return list(csv.reader(io.StringIO(text)))


def test_export_requires_plural_filters(client):
    with pytest.raises(ApiError, match="filters is required"):
        client.post("/exports/customers", {"filter": EVERYONE})


def test_export_lifecycle_pending_then_done(fake, client, tmp_path):
    fake.extras["export_pending_polls"] = 2
    export = client.post("/exports/customers", {"filters": {"segment": {"id": 1}}})["export"]
    assert export["status"] == "pending" and export["total"] == 0
    statuses = [client.get(f"/exports/{export['id']}")["export"]["status"] for _ in range(3)]
    assert statuses == ["pending", "pending", "done"]
    assert client.get(f"/exports/{export['id']}")["export"]["total"] == 100    # every 2nd of 200 people
    rows = read_csv(client, client.get(f"/exports/{export['id']}/download")["url"], tmp_path)
    assert rows[0][:3] == ["cio_id", "id", "email"] and len(rows) == 101
    assert "plan" in rows[0] and "Company Name" in rows[0]
    assert all(request.authorization is None for request in fake.requests("^/files/"))


def test_export_of_requested_attributes_gzip(fake, client, tmp_path):
    fake.extras["export_gzip"] = True
    export = client.post("/exports/customers", {"filters": EVERYONE, "attributes": ["plan", "nobody_has_it"]})
    rows = read_csv(client, finish(client, export["export"]["id"]), tmp_path, gzipped=True)
    assert rows[0] == ["cio_id", "id", "email", "plan", "nobody_has_it"]
    assert rows[8] == ["a0000008", "", "person7@example.com", "", ""]


def test_export_without_cio_id_column(fake, client, tmp_path):
    fake.extras["export_without_cio_id"] = True
    export = client.post("/exports/customers", {"filters": EVERYONE, "attributes": ["plan"]})
    assert read_csv(client, finish(client, export["export"]["id"]), tmp_path)[0] == ["id", "email", "plan"]


def test_export_pending_for_seconds_and_failed_switch(fake, client):
    fake.extras.update(export_pending_seconds=60, export_failed=True)
    export_id = client.post("/exports/customers", {"filters": EVERYONE})["export"]["id"]
    assert client.get(f"/exports/{export_id}")["export"]["status"] == "pending"
    with pytest.raises(ApiError, match="not ready"):
        client.get(f"/exports/{export_id}/download")
    fake.extras["export_pending_seconds"] = 0
    export = client.get(f"/exports/{export_id}")["export"]
    assert export["status"] == "failed" and export["failed"] is True


def test_unknown_export_is_404(client):
    with pytest.raises(ApiError) as raised:
        client.get("/exports/999999")
    assert raised.value.status == 404


def test_signed_file_refuses_the_api_key(fake, client):
    export_id = client.post("/exports/customers", {"filters": EVERYONE})["export"]["id"]
    url = finish(client, export_id)
    assert client.session.get(url).status_code == 400     # the API session carries Authorization


def test_numeric_ids_switch_sends_digit_identifiers_as_numbers(fake):
    import requests
    fake.workspace.cio_id_digits = True
    fake.extras["numeric_ids"] = True
    answer = requests.post(fake.url + "/customers", params={"limit": 3},
                           headers={"Authorization": "Bearer test-app-key"},
                           json={"filter": {"attribute": {"field": "cio_id", "operator": "exists"}}}).json()
    assert answer["identifiers"][0] == {"cio_id": 3000001, "email": "person0@example.com", "id": 100000}
    assert answer["ids"] == [100000, 100001, 100002]
    assert isinstance(answer["next"], str)
