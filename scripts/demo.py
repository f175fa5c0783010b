"""`make demo`: start the bundled fake Customer.io API on loopback, run the component on the sample config,
and print every table it wrote with its row count. Nothing leaves this machine."""
import csv
import json
import os
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(ROOT, "tests"), os.path.join(ROOT, "src")]

from fake_api import FakeCustomerIo, Workspace  # noqa: E402

SAMPLE = os.path.join(ROOT, "component_config", "sample-config")
DATA = os.path.join(ROOT, "demo-data")


def count_rows(path: str) -> int:
    with open(path, newline="", encoding="utf-8") as handle:
        return max(sum(1 for _ in csv.reader(handle)) - 1, 0)


def main() -> int:
    config = json.load(open(os.path.join(SAMPLE, "config.json")))
    workspace = Workspace(people=2000, segments=6, messages=20000, message_span_days=365, activities=3000,
                          activity_types=20)
    shutil.rmtree(DATA, ignore_errors=True)
    shutil.copytree(SAMPLE, DATA)
    with FakeCustomerIo(workspace, api_key=config["parameters"]["#api_secret"]) as fake:
        print(f"Fake Customer.io API listening at {fake.url}")
        env = dict(os.environ, KBC_DATADIR=DATA, CUSTOMERIO_API_URL=fake.url, PYTHONUNBUFFERED="1")
        started = time.monotonic()
        code = subprocess.call([sys.executable, os.path.join(ROOT, "src", "component.py")], env=env)
        elapsed = time.monotonic() - started
        stats = fake.stats()
    if code != 0:
        print(f"The component exited with code {code}.")
        return code
    tables = os.path.join(DATA, "out", "tables")
    print(f"\nTables written to {tables} in {elapsed:.1f} s ({stats['requests']} requests, "
          f"peak {stats['peak_per_second']} requests/s):")
    for name in sorted(os.listdir(tables)):
        if name.endswith(".csv"):
            print(f"  {name[:-4]:<40} {count_rows(os.path.join(tables, name)):>8,} rows")
    print(f"State for the next run: {os.path.join(DATA, 'out', 'state.json')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
