"""Keboola entrypoint: read the configuration, run the selected datasets, write tables, manifests and state.

Exit codes: 0 success; 1 a problem the user can fix (one sentence, no traceback); 2 a bug.
"""
import logging
import os
import sys
import time
from datetime import datetime, timezone
from typing import Optional

from keboola.component.base import ComponentBase, sync_action
from keboola.component.exceptions import UserException
from keboola.component.sync_actions import SelectElement

from configuration import (CUSTOM_DATASETS, DATASET_KEYS, KEY_LOCATION, Knobs, Settings, parse_connection,
                           parse_settings, read_knobs)
from customerio import (ApiError, AuthenticationError, CursorLoopError, CustomerIoClient, ForbiddenError, NoLimit,
                        NotFoundError, RetriesExhaustedError, resolve_base_url)
from customerio.catalog import ACTIVITY_TYPES, LEGACY_ACTIVITY_TYPES, object_activity_types, type_title
from customerio.ids import id_text
from extractors import build_extractors
from extractors.errors import DatasetError
from output.tables import OutputTables
from runner import Runner, WalkFailed

log = logging.getLogger("component")

#: Sync actions must answer within about 30 s, retries included.
SYNC_ACTION_LIMITS = {"connect_timeout": 5.0, "read_timeout": 10.0, "max_tries": 3, "max_retry_seconds": 20.0}


class Component(ComponentBase):
    def __init__(self):
        super().__init__()
        self._settings = None

    def _should_vcr_record(self) -> bool:
        """keboola.component records every HTTP exchange of a debug run (KBC_COMPONENT_RUN_MODE=debug) into
        out/files, which Keboola uploads to File Storage: here every person's attributes, every message's recipient
        and subject. This component records nothing; the `debug` parameter gives verbose logs instead."""
        debug = os.environ.get("KBC_COMPONENT_RUN_MODE", "").lower() == "debug"
        if debug and (self.configuration.action or "run") == "run":     # a sync action's stdout is its JSON
            log.info("Debug run: no HTTP recording is made (response bodies hold personal data); set `debug` for "
                     "verbose logs.")
        return False

    # ------------------------------------------------------------------ run
    def run(self):
        connection = parse_connection(self.configuration.parameters)
        base_url = resolve_base_url(connection.region)
        knobs = read_knobs(base_url)
        # The run's one "now": every relative time (since, lookbacks, windows, full_refresh_days, metric buckets).
        run_started = int(time.time() + knobs.clock_offset)
        settings = self.settings(now=run_started)
        for warning in settings.warnings:
            log.warning(warning)
        state = self.get_state_file() or {}
        client = self.client(settings.api_key, settings.region, settings.max_requests_per_second, knobs=knobs,
                             base_url=base_url)
        extractors = build_extractors(settings, client, state, run_started, knobs)
        if not extractors:
            log.warning("No dataset is selected: turn on one of %s.", ", ".join(DATASET_KEYS + CUSTOM_DATASETS))
        tables = OutputTables(self, settings.incremental, state.get(OutputTables.STATE_KEY),
                              max_columns=settings.max_columns)
        log.info("Extracting %s (%s load, at most %d requests/s).",
                 ", ".join(e.name for e in extractors) or "nothing",
                 "incremental" if settings.incremental else "full", settings.max_requests_per_second)
        started = time.monotonic()
        runner = Runner(client, tables, workers=knobs.workers, skip_forbidden=settings.skip_forbidden)
        try:
            runner.run(extractors)
        except WalkFailed as failure:
            tables.discard()
            raise user_facing(failure) from None
        finally:
            client.close()
        for extractor in extractors:
            for warning in extractor.closing_warnings():
                log.warning(warning)
        new_state = dict(state)
        new_state[OutputTables.STATE_KEY] = tables.finish()
        skipped = frozenset(runner.skipped)
        for extractor in extractors:
            if set(extractor.datasets) <= skipped:
                continue                    # nothing of it was written: the next run starts where this one did
            dataset_state = extractor.new_state(skipped)
            if dataset_state is not None:
                new_state[extractor.name] = dataset_state
        self.write_state_file(new_state)
        elapsed = time.monotonic() - started
        for name, summary in tables.summaries().items():
            log.info("Table %s: %s.", name, summary)
        log.info("Done in %.1f s with %s API requests (%s retried).", elapsed, f"{client.request_count:,}",
                 f"{client.retry_count:,}")
        if runner.skipped:
            log.warning("Skipped because the API key may not read them (skip_forbidden is on): %s.",
                        "; ".join(f"{dataset}: {why}" for dataset, why in sorted(runner.skipped.items())))

    # ------------------------------------------------------------------ helpers
    def settings(self, now: Optional[int] = None) -> Settings:
        """The validated configuration; relative times (`12 months ago`) count back from `now` (unix seconds)."""
        if self._settings is None:
            moment = datetime.fromtimestamp(now, timezone.utc) if now is not None else None
            self._settings = parse_settings(self.configuration.parameters, now=moment)
        return self._settings

    @staticmethod
    def client(api_key: str, region: str, max_requests_per_second: int = 10, interactive: bool = False,
               knobs: Optional[Knobs] = None, base_url: Optional[str] = None) -> CustomerIoClient:
        """The run's client; `interactive` (sync actions) keeps every wait short: the UI gives up after ~30 s.
        A run passes the base URL it already resolved (and logged), so it is worked out once."""
        base_url = base_url or resolve_base_url(region)
        knobs = knobs or read_knobs(base_url)
        options = dict(SYNC_ACTION_LIMITS) if interactive else {}
        options.update(knobs.client_options())
        if not knobs.rate_limit:
            options["limiter"] = NoLimit()
        return CustomerIoClient(api_key, base_url, max_requests_per_second=max_requests_per_second, **options)

    def action_client(self) -> CustomerIoClient:
        """Sync actions read only the key and region: a half-edited filter or rate must not fail them."""
        connection = parse_connection(self.configuration.parameters)
        return self.client(connection.api_key, connection.region, interactive=True)

    # ------------------------------------------------------------------ sync actions
    def _ask(self, action: str, path: str, unavailable=()) -> Optional[dict]:
        """One GET for a sync action, from the key and region alone; any failure becomes one sentence, except the
        `unavailable` errors: None."""
        client = self.action_client()
        try:
            return client.get(path)
        except unavailable:
            return None
        except Exception as error:  # noqa: B902 - every failure becomes one readable sentence
            raise action_failure(action, error, f"GET {path}") from None
        finally:
            client.close()

    @sync_action("testConnection")
    def test_connection(self):
        self._ask("The connection test", "/segments")

    @sync_action("list_segments")
    def list_segments(self):
        segments = self._ask("Loading segments", "/segments").get("segments") or []
        segments.sort(key=lambda s: (str(s.get("name") or "").lower(), s.get("id") or 0))
        return [SelectElement(value=str(s.get("id")), label=f"{s.get('name')} ({s.get('id')})") for s in segments]

    @sync_action("list_object_types")
    def list_object_types(self):
        types = self._ask("Loading object types", "/object_types").get("types") or []
        types = [t for t in types if isinstance(t, dict) and t.get("id") is not None]
        types.sort(key=lambda t: (str(t.get("name") or "").lower(), str(t.get("id"))))
        return [SelectElement(value=str(t["id"]), label=f"{t.get('name')} ({t['id']})") for t in types]

    @sync_action("list_activity_types")
    def list_activity_types(self):
        """The catalogue's types, then the object and relationship types of each object type of the workspace. A
        key that may not list object types (403), or a workspace without objects (404), gets the catalogue alone."""
        answer = self._ask("Loading activity types", "/object_types", unavailable=(ForbiddenError, NotFoundError))
        options = [SelectElement(value=name, label=type_title(name))
                   for name in ACTIVITY_TYPES + LEGACY_ACTIVITY_TYPES]
        types = [t for t in ((answer or {}).get("types") or []) if isinstance(t, dict)]
        named = sorted(((id_text(t.get("id")), str(t.get("name") or "").strip()) for t in types),
                       key=lambda pair: (pair[1].lower(), pair[0] or ""))
        for type_id, name in named:
            if type_id is not None and type_id.isdigit():        # what `_o:<id>:...` accepts
                options += [SelectElement(value=value, label=label)
                            for value, label in object_activity_types(type_id, name or f"Object type {type_id}")]
        return options


def action_failure(action: str, error: Exception, endpoint: str) -> Exception:
    """A sync action's failure in one sentence; a 403 here is about the key itself, there is no dataset to turn off."""
    if isinstance(error, ForbiddenError):
        return UserException(
            f"{action} failed: Customer.io refused the API key for {error.endpoint} (403: {error.detail}). The key "
            f"may not read this workspace, or an IP allowlist on the key leaves Keboola out: check the key in "
            f"Customer.io under {KEY_LOCATION}.")
    return user_facing(WalkFailed(action, endpoint, error))


def user_facing(failure: WalkFailed) -> Exception:
    """One clear sentence for errors a user can fix; anything else stays a bug (exit 2)."""
    error = failure.error
    if isinstance(error, UserException):
        return error
    if isinstance(error, DatasetError):
        return UserException(str(error))
    if isinstance(error, AuthenticationError):
        return UserException(str(error))
    if isinstance(error, ForbiddenError):
        return UserException(
            f"The API key lacks the scope for {failure.dataset}: {error.endpoint} answered 403 ({error.detail}). "
            f"Give the key access to it in Customer.io (or allowlist this IP), or turn {failure.dataset} off.")
    if isinstance(error, (ApiError, RetriesExhaustedError)):
        return UserException(f"{failure.dataset}: {error}")
    if isinstance(error, CursorLoopError):
        return RuntimeError(f"{failure.dataset}: {error}")
    return error


def main() -> int:
    try:
        try:
            component = Component()
        except ValueError as error:  # the library's way of saying config.json is missing or unreadable
            raise UserException(f"Could not read the configuration (config.json): {error}") from None
        component.execute_action()
        return 0
    except UserException as error:
        logging.error(str(error))
        return 1
    except Exception as error:  # noqa: B902 - a bug: log it with its traceback, exit 2
        logging.exception("Application error: %s", error)
        return 2


if __name__ == "__main__":
    sys.exit(main())
