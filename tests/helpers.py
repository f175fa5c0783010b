"""Running the component as a real process and reading what it wrote."""
import csv
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Dict, List, Optional

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COMPONENT = os.path.join(ROOT, "src", "component.py")
API_KEY = "test-app-key"
#: How Keboola's job runner sets up a production run, per manifest format keboola.component then writes:
#: `legacy` for a project without native data types (KBC_STACKID set, no KBC_DATA_TYPE_SUPPORT), `hints` for the
#: new format with type hints (the mode this component is registered with), `local` for a developer's machine
#: (no KBC_STACKID: the new format too). keboola-platform-2026.md section 5.
MANIFEST_ENVIRONMENTS = {
    "local": {},
    "legacy": {"KBC_STACKID": "connection.keboola.com", "KBC_PROJECT_FEATURE_GATES": "queuev2"},
    "hints": {"KBC_STACKID": "connection.keboola.com", "KBC_PROJECT_FEATURE_GATES": "queuev2",
              "KBC_DATA_TYPE_SUPPORT": "hints"},
}
#: The two formats production writes: tests of what Storage ends up holding run in both.
FORMATS = ("hints", "legacy")


def base_parameters(**overrides) -> dict:
    parameters = {"#api_secret": API_KEY, "api_region": "us", "incremental_output": 1, "campaigns": False,
                  "segments": False, "messages": [], "customers": [], "activities": []}
    parameters.update(overrides)
    return parameters


@dataclass
class RunResult:
    exit_code: int
    stdout: str
    stderr: str
    data_dir: str
    tables: Dict[str, List[dict]] = field(default_factory=dict)
    headers: Dict[str, List[str]] = field(default_factory=dict)
    manifests: Dict[str, dict] = field(default_factory=dict)
    state: Optional[dict] = None

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def read_outputs(data_dir: str, result: RunResult) -> RunResult:
    tables_dir = os.path.join(data_dir, "out", "tables")
    for name in sorted(os.listdir(tables_dir)) if os.path.isdir(tables_dir) else []:
        path = os.path.join(tables_dir, name)
        if name.endswith(".csv"):
            with open(path, newline="", encoding="utf-8") as handle:
                reader = csv.reader(handle)
                header = next(reader, [])
                result.headers[name[:-4]] = header
                result.tables[name[:-4]] = [dict(zip(header, row)) for row in reader]
        elif name.endswith(".manifest"):
            with open(path) as handle:
                result.manifests[name[: -len(".csv.manifest")]] = json.load(handle)
    state_path = os.path.join(data_dir, "out", "state.json")
    if os.path.exists(state_path):
        with open(state_path) as handle:
            result.state = json.load(handle)
    return result


class ComponentRun:
    """Each call is one run in its own data folder; `state` seeds in/state.json (e.g. the previous run's).
    `manifests` picks the environment of MANIFEST_ENVIRONMENTS every run gets (and so the manifest format)."""

    def __init__(self, tmp_path, fake, manifests: str = "local"):
        self.tmp_path = tmp_path
        self.fake = fake
        self.runs = 0
        self.manifests = manifests

    def __call__(self, parameters: dict, state: Optional[dict] = None, action: Optional[str] = None,
                 env: Optional[dict] = None, config_text: Optional[str] = None, timeout: float = 300) -> RunResult:
        self.runs += 1
        data_dir = os.path.join(str(self.tmp_path), f"run{self.runs}")
        for sub in ("in/tables", "in/files", "out/tables", "out/files"):
            os.makedirs(os.path.join(data_dir, sub), exist_ok=True)
        config = {"parameters": parameters, "storage": {}}
        if action:
            config["action"] = action
        if config_text is not None:
            if config_text != "<missing>":
                with open(os.path.join(data_dir, "config.json"), "w") as handle:
                    handle.write(config_text)
        else:
            with open(os.path.join(data_dir, "config.json"), "w") as handle:
                json.dump(config, handle)
        if state is not None:
            with open(os.path.join(data_dir, "in", "state.json"), "w") as handle:
                json.dump(state, handle)
        process_env = {k: v for k, v in os.environ.items() if not k.startswith("KBC_")}
        process_env.update({"KBC_DATADIR": data_dir, "CUSTOMERIO_API_URL": self.fake.url,
                            "PYTHONUNBUFFERED": "1"}, **MANIFEST_ENVIRONMENTS[self.manifests])
        if getattr(self.fake, "clock_offset", 0):           # a pinned or moved fake clock: the run shares it
            process_env["CUSTOMERIO_CLOCK_OFFSET"] = str(self.fake.clock_offset)
        if getattr(self.fake, "certificates", None):      # an HTTPS fake: trust its CA, made for this test run
            process_env["REQUESTS_CA_BUNDLE"] = self.fake.certificates.ca_file
        process_env.update(env or {})
        completed = subprocess.run([sys.executable, COMPONENT], env=process_env, capture_output=True, text=True,
                                   timeout=timeout, cwd=ROOT)
        result = RunResult(completed.returncode, completed.stdout, completed.stderr, data_dir)
        return read_outputs(data_dir, result)


def call_fake(fake, path, method="GET", json=None, **params):
    """One request to the fake with its key, as (status, JSON body): for tests of the fake itself."""
    import requests
    response = requests.request(method, fake.url + path, params=params, json=json, timeout=5,
                                headers={"Authorization": f"Bearer {fake.api_key}"})
    return response.status_code, response.json()


def get_fake(fake, path, **params):
    status, body = call_fake(fake, path, **params)
    assert status == 200, body
    return body


CORPUS = os.path.join(ROOT, "tests", "fixtures", "realworld-corpus")


def read_corpus(path: str):
    """One file of the real-world corpus (tests/fixtures/realworld-corpus/<path>): JSON, or JSON lines, or text."""
    with open(os.path.join(CORPUS, path), encoding="utf-8") as handle:
        if path.endswith(".jsonl"):
            return [json.loads(line) for line in handle if line.strip()]
        return json.load(handle) if path.endswith(".json") else handle.read()
