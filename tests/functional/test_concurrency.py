"""The rows written do not depend on how many walks run at once (only their order may differ)."""
from helpers import base_parameters

PARAMETERS = base_parameters(
    campaigns=True, segments=True,
    messages=[{"types": ["email", "push", "webhook"], "since": "90 days ago"}],
    customers=[{"filters": "", "attributes": "", "method": "api"}],
    activities=[{"types": ["event", "page", "attribute_change", "sent_email"], "mode": "PARSED_DATA"}])


def sorted_tables(result):
    return {name: (result.headers[name], sorted(tuple(row.values()) for row in rows))
            for name, rows in result.tables.items()}


def test_one_worker_and_eight_workers_write_the_same_rows(component, fake):
    ws = fake.workspace
    ws.people, ws.segments, ws.messages, ws.message_span_days = 500, 6, 6000, 60
    ws.activities, ws.activity_types = 2000, 12
    env = {"CUSTOMERIO_RATE_LIMIT": "off"}
    serial = component(PARAMETERS, env=dict(env, CUSTOMERIO_WORKERS="1"))
    parallel = component(PARAMETERS, env=dict(env, CUSTOMERIO_WORKERS="8"))
    assert serial.exit_code == parallel.exit_code == 0, serial.output + parallel.output
    assert sorted_tables(serial) == sorted_tables(parallel)
    assert len(serial.tables) >= 9 and sum(len(rows) for rows in serial.tables.values()) > 3000
