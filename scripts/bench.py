"""`make bench`: measure the component against the fake API, each side in its own process.

For every scenario it starts the fake with given sizes and latency, runs src/component.py as a process and
prints rows, wall time, rows/s, requests, average and peak requests/s (sliding 1-second windows of the fake's
arrival clock), requests the fake refused, requests per 1,000 rows, and the component's peak RSS. Every
rate-limited scenario runs over HTTPS (a CA made for the run, trusted through REQUESTS_CA_BUNDLE) against a fake
that counts like Customer.io: every arrival in a sliding second, refused ones included, and 429 with
Retry-After: 1 beyond 10. `--quick` shrinks the sizes tenfold; `--busy-core` keeps one core busy with a second
process during the rate-limited scenarios. Not part of `make test`: timings on a shared 2-core machine are
noisy, so this prints figures and checks the targets, it does not fail the build; the speed scenarios run three
times and report the median run.
"""
import argparse
import json
import os
import platform
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from typing import Dict, List

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FAKE = os.path.join(ROOT, "tests", "fake_api")
COMPONENT = os.path.join(ROOT, "src", "component.py")
KEY = "bench-app-key"


@dataclass
class Scenario:
    name: str
    fake_args: List[str]
    parameters: dict
    limiter: bool = True     # rate-limited: over HTTPS, the fake refusing beyond 10 a second as Customer.io does
    targets: Dict[str, float] = field(default_factory=dict)   # figure -> minimum (or maximum for *_max)
    repeat: int = 1          # speed scenarios run several times and report the median run (by wall time)


#: Every rate-limited scenario: no second over the budget at the server's clock, nothing refused.
BUDGET = {"peak_rps_max": 10, "refused_max": 0}


def scenarios(scale: float) -> List[Scenario]:
    def n(value: int) -> int:
        return max(1000, int(value * scale))

    def few(value: int) -> int:          # entity counts (one or more requests each): --quick keeps a tenth
        return max(1, int(value * scale))

    base = {"#api_secret": KEY, "api_region": "us", "incremental_output": 1}
    return [
        Scenario("throttled: 4 activity walks, 250 ms latency, limit 10/s",
                 ["--activities", str(n(24000)), "--activity-types", "4", "--latency", "0.25", "--people", "1000"],
                 dict(base, activities=[{"types": ["page", "event", "attribute_change", "sent_email"],
                                         "mode": "PARSED_DATA"}]),
                 targets=dict(BUDGET, avg_rps=9.0)),
        Scenario("backfill: 25,000 messages, 2 types, 175 days, 250 ms",
                 ["--messages", str(n(25000)), "--message-types", "2", "--message-span-days", "175",
                  "--latency", "0.25", "--people", "1000"],
                 dict(base, messages=[{"types": ["email", "webhook"], "since": "180 days ago"}]),
                 targets=dict(BUDGET, wall_s_max=4.0, requests_max=35), repeat=3),
        Scenario("fan-out: 300 children (transactional contents), 250 ms",
                 ["--transactional", str(few(300)), "--latency", "0.25", "--people", "100"],
                 dict(base, transactional=True), targets=dict(BUDGET, avg_rps=9.0)),
        Scenario("metrics: 40 campaigns (v2), 60 newsletters (v1), 250 ms",
                 ["--campaigns", str(few(40)), "--newsletters", str(few(60)), "--latency", "0.25", "--people", "100"],
                 dict(base, metrics=[{"entities": ["campaigns", "newsletters"], "resolution": "days",
                                      "since": "30 days ago"}]),
                 targets=dict(BUDGET, avg_rps=9.0)),
        Scenario("pipeline: messages, no limiter, 0 ms",
                 ["--messages", str(n(300000)), "--message-span-days", "150", "--people", "10000"],
                 dict(base, messages=[{"types": [], "since": "6 months ago"}]),
                 limiter=False, targets={"rows_per_s": 30000}, repeat=3),
        Scenario("pipeline: activities, no limiter, 0 ms",
                 ["--activities", str(n(100000)), "--activity-types", "40", "--people", "10000"],
                 dict(base, activities=[{"types": [], "mode": "PARSED_DATA"}]),
                 limiter=False, targets={"rows_per_s": 10000}, repeat=3),
        Scenario("memory: 1,000,000 messages",
                 ["--messages", str(n(1000000)), "--message-span-days", "170", "--people", "10000"],
                 dict(base, messages=[{"types": [], "since": "6 months ago"}]),
                 limiter=False, targets={"rss_mb_max": 150}),
        Scenario("memory: 1,000,000 customers (api method)",
                 ["--people", str(n(1000000)), "--segments", "2"],
                 dict(base, customers=[{"filters": "", "attributes": "", "method": "api"}]),
                 limiter=False, targets={"rss_mb_max": 150}),
        Scenario("memory: 1,500 events with 5,000 distinct data keys",
                 ["--activities", "1500", "--activity-types", "1", "--activity-unique-keys", "3", "--people", "1000"],
                 dict(base, activities=[{"types": ["event"], "mode": "PARSED_DATA"}]),
                 limiter=False, targets={"rss_mb_max": 150}),
        Scenario("segment members: 5 segments",
                 ["--people", str(n(200000)), "--segments", "6"],
                 dict(base, segments=True), limiter=False),
    ]


def start_fake(args: List[str]):
    process = subprocess.Popen([sys.executable, FAKE, "--api-key", KEY] + args, stdout=subprocess.PIPE, text=True)
    line = process.stdout.readline().strip()
    if not line.startswith("READY "):
        process.kill()
        raise RuntimeError(f"the fake API did not start: {line!r}")
    return process, line.split(" ", 1)[1]


def run_scenario(scenario: Scenario, busy_core: bool = False) -> dict:
    data = tempfile.mkdtemp(prefix="cio-bench-")
    ca_file = os.path.join(data, "fake-ca.pem")
    budget = ["--https", ca_file, "--rate-cap", "10"] if scenario.limiter else []
    fake, url = start_fake(scenario.fake_args + budget)
    hog = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if busy_core and scenario.limiter else None
    try:
        for sub in ("in/tables", "in/files", "out/tables", "out/files"):
            os.makedirs(os.path.join(data, sub))
        with open(os.path.join(data, "config.json"), "w") as handle:
            json.dump({"parameters": scenario.parameters, "storage": {}}, handle)
        env = dict(os.environ, KBC_DATADIR=data, CUSTOMERIO_API_URL=url)
        if scenario.limiter:
            env["REQUESTS_CA_BUNDLE"] = ca_file
        else:
            env["CUSTOMERIO_RATE_LIMIT"] = "off"
        started = time.monotonic()
        with open(os.path.join(data, "log.txt"), "w") as log:
            child = subprocess.Popen([sys.executable, COMPONENT], env=env, stdout=log, stderr=subprocess.STDOUT)
            _, status, usage = os.wait4(child.pid, 0)
        wall = time.monotonic() - started
        if os.waitstatus_to_exitcode(status) != 0:
            raise RuntimeError(f"{scenario.name}: the component failed; see {data}/log.txt")
        context = ssl.create_default_context(cafile=ca_file) if scenario.limiter else None
        stats = json.load(urllib.request.urlopen(url.rsplit("/v1", 1)[0] + "/_admin/stats", context=context))
        rows = count_rows(os.path.join(data, "out", "tables"))
        shutil.rmtree(data)
        return {"rows": rows, "wall_s": wall, "rows_per_s": rows / wall, "requests": stats["requests"],
                "avg_rps": stats["average_per_second"], "peak_rps": stats["peak_per_second"],
                "refused": stats["refused"],
                "req_per_1000_rows": 1000 * stats["requests"] / rows if rows else 0.0,
                "rss_mb": usage.ru_maxrss / 1024}
    finally:
        if hog:
            hog.kill()
            hog.wait()
        fake.terminate()
        fake.wait()


def count_rows(tables: str) -> int:
    total = 0
    for name in os.listdir(tables):
        if name.endswith(".csv"):
            with open(os.path.join(tables, name), "rb") as handle:
                total += max(sum(1 for _ in handle) - 1, 0)
    return total


def verdicts(result: dict, targets: Dict[str, float]) -> List[str]:
    notes = []
    for figure, bound in targets.items():
        if figure.endswith("_max"):
            value, ok = result[figure[:-4]], result[figure[:-4]] <= bound
            notes.append(f"{figure[:-4]} {value:,.1f} <= {bound:,} {'OK' if ok else 'MISSED'}")
        else:
            value, ok = result[figure], result[figure] >= bound
            notes.append(f"{figure} {value:,.1f} >= {bound:,} {'OK' if ok else 'MISSED'}")
    return notes


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a tenth of the sizes")
    parser.add_argument("--only", default="", help="run scenarios whose name contains this text")
    parser.add_argument("--busy-core", action="store_true",
                        help="keep one core busy with a second process during the rate-limited scenarios")
    args = parser.parse_args(argv)
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.system()} {platform.release()}")
    header = (f"{'scenario':<56} {'rows':>10} {'wall s':>7} {'rows/s':>9} {'requests':>8} {'avg r/s':>7} "
              f"{'peak r/s':>8} {'refused':>7} {'req/1k rows':>11} {'RSS MB':>7}")
    print(header)
    print("-" * len(header))
    missed = 0
    for scenario in scenarios(0.1 if args.quick else 1.0):
        if args.only and args.only not in scenario.name:
            continue
        runs = sorted((run_scenario(scenario, args.busy_core) for _ in range(scenario.repeat)),
                      key=lambda r: r["wall_s"])
        result = runs[len(runs) // 2]
        result["refused"] = max(run["refused"] for run in runs)      # any refusal in any run counts
        result["peak_rps"] = max(run["peak_rps"] for run in runs)
        print(f"{scenario.name:<56} {result['rows']:>10,} {result['wall_s']:>7.1f} {result['rows_per_s']:>9,.0f} "
              f"{result['requests']:>8,} {result['avg_rps']:>7.1f} {result['peak_rps']:>8} {result['refused']:>7} "
              f"{result['req_per_1000_rows']:>11.2f} {result['rss_mb']:>7.0f}", flush=True)
        for note in verdicts(result, scenario.targets):
            missed += note.endswith("MISSED")
            print(f"    {note}")
    print(f"Targets missed: {missed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
