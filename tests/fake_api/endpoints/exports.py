"""Customer exports: POST /v1/exports/customers, GET /v1/exports/{id}, GET /v1/exports/{id}/download.

The file behind the signed URL is built once, when its download is first asked for, and put into
`fake.extras["files"]`, which server.py serves at /files/* (refusing requests that carry Authorization).

Switches in `fake.extras`:
- "export_pending_seconds" (float) / "export_pending_polls" (int): how long an export stays `pending`
  (both may be set; the export is done when both are used up).
- "export_failed": True makes every export end as `failed`.
- "export_gzip": True serves the CSV gzip-compressed.
- "export_without_cio_id": True leaves the cio_id column out of the file (the original component keyed its export
  on `id`; whether real files carry `cio_id` is not documented).
- "export_without_header": True writes the rows without a header line.
- "export_ragged": True makes the second record one cell wider than the header (an unquoted comma in a value).
"""
import csv
import gzip
import io
import itertools
import threading
import time

from fake_api.endpoints.customers import compile_filter, matching
from fake_api.server import HttpError, route

IDENTIFIER_COLUMNS = ("cio_id", "id", "email")
_ids = itertools.count(101)
_lock = threading.Lock()


def _exports(fake) -> dict:
    return fake.extras.setdefault("exports", {})


def _public(job: dict) -> dict:
    return {key: job[key] for key in ("id", "deduplicate_id", "type", "status", "failed", "total", "downloads",
                                      "description", "user_id", "user_email", "created_at", "updated_at")}


def _advance(fake, job: dict) -> None:
    """Move a pending export on, by elapsed time and by number of polls."""
    if job["status"] != "pending":
        return
    job["polls"] += 1
    waited = time.monotonic() - job["started"] >= float(fake.extras.get("export_pending_seconds", 0))
    polled = job["polls"] > int(fake.extras.get("export_pending_polls", 0))
    if not (waited and polled):
        return
    if fake.extras.get("export_failed"):
        job.update(status="failed", failed=True)
    else:
        job.update(status="done", total=sum(1 for _ in matching(fake.workspace, job["predicate"])))
    job["updated_at"] = int(time.time())


def _job(fake, export_id: str) -> dict:
    job = _exports(fake).get(export_id)
    if job is None:
        raise HttpError(404, "export not found")
    return job


@route("POST", "/exports/customers")
def create_export(fake, query, body):
    if not isinstance(body, dict) or "filters" not in body:
        raise HttpError(400, "filters is required")
    predicate = compile_filter(fake.workspace, body["filters"], "filters")
    attributes = body.get("attributes")
    if attributes is not None and (not isinstance(attributes, list)
                                   or not all(isinstance(name, str) for name in attributes)):
        raise HttpError(400, "attributes must be an array of strings")
    now = int(time.time())
    with _lock:
        export_id = next(_ids)
        job = {"id": export_id, "deduplicate_id": f"{export_id}:{now}", "type": "customers", "status": "pending",
               "failed": False, "total": 0, "downloads": 0, "description": "Customers export (fake)",
               "user_id": 0, "user_email": "fake@example.com", "created_at": now, "updated_at": now,
               "predicate": predicate, "attributes": attributes, "started": time.monotonic(), "polls": 0,
               "request": body}
        _exports(fake)[str(export_id)] = job
    return {"export": _public(job)}


@route("GET", "/exports/{export_id}")
def get_export(fake, query, body, export_id):
    with _lock:
        job = _job(fake, export_id)
        _advance(fake, job)
        return {"export": _public(job)}


@route("GET", "/exports/{export_id}/download")
def download_export(fake, query, body, export_id):
    with _lock:
        job = _job(fake, export_id)
        if job["status"] != "done":
            raise HttpError(400, f"export {export_id} is {job['status']}, not ready for download")
        job["downloads"] += 1
        path = job.get("file_path")
        if path is None:
            gzipped = bool(fake.extras.get("export_gzip"))
            path = f"/files/exports/{export_id}/customers.csv" + (".gz" if gzipped else "")
            data = export_file(fake, job)
            fake.extras.setdefault("files", {})[path] = gzip.compress(data) if gzipped else data
            job["file_path"] = path
    return {"url": f"{fake.root}{path}?X-Goog-Expires=900&X-Goog-Signature=fake{export_id}"}


def export_file(fake, job: dict) -> bytes:
    """CSV bytes: cio_id,id,email then the requested attributes, or every attribute the exported people have."""
    ws = fake.workspace
    people = list(matching(ws, job["predicate"]))
    if job["attributes"]:
        names = [name for name in dict.fromkeys(job["attributes"]) if name not in IDENTIFIER_COLUMNS]
    else:
        seen = {}
        for q in people:
            for name in ws.attributes(q):
                if name not in IDENTIFIER_COLUMNS:
                    seen.setdefault(name, None)
        names = list(seen)
    identifiers = [c for c in IDENTIFIER_COLUMNS if not (c == "cio_id" and fake.extras.get("export_without_cio_id"))]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if not fake.extras.get("export_without_header"):
        writer.writerow(identifiers + names)
    for n, q in enumerate(people):
        person, attrs = ws.person(q), ws.attributes(q)
        values = [person[c] or "" for c in identifiers] + [attrs.get(name, "") for name in names]
        if n == 1 and fake.extras.get("export_ragged"):
            values.append("stray")
        writer.writerow(values)
    return out.getvalue().encode("utf-8")
