"""Typed configuration: accepts every config written for the original component, validates everything up front.

Each problem a user can fix becomes one ConfigError (a UserException) whose sentence names the key and what is
allowed. Unknown keys are reported with a warning, not an error, so configs from older UIs keep working. The
datasets with settings of their own are parsed in datasets.py, single values in values.py.
"""
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, FrozenSet, List, Optional

from configuration.datasets import (ACTIVITIES_KEYS, CUSTOMERS_KEYS, MESSAGES_KEYS, METRICS_KEYS, OBJECTS_KEYS,
                                    ActivitiesSettings, CustomersSettings, MessagesSettings, MetricsSettings,
                                    ObjectsSettings, activities_settings, customers_settings, messages_settings,
                                    metrics_settings, objects_settings)
from configuration.errors import ConfigError
from configuration.values import as_bool as _bool, as_choice as _choice, as_int_range as _int_range
from configuration.values import as_zero_one as _zero_one, single_item
from customerio.datasets import DATASETS

log = logging.getLogger(__name__)

REGIONS = ("us", "eu")
#: Where Customer.io keeps App API keys, in the words of its own page; every message and doc says it this way.
KEY_LOCATION = "Account Settings > API Credentials (App API Keys)"

#: The catalogue's datasets are booleans named after them (campaigns, newsletters, workspace_settings, ...).
DATASET_KEYS = tuple(dataset.key for dataset in DATASETS)
KNOWN_KEYS = {"#api_secret", "api_region", "incremental_output", "segment_members", "segment_sizes",
              "max_requests_per_second", "max_columns", "full_refresh_days", "skip_forbidden", "keep_deleted_rows",
              "messages", "customers", "activities", "objects", "metrics", "debug"} | set(DATASET_KEYS)
FULL_REFRESH_DAYS_DEFAULT = 7
#: Datasets with settings of their own (one-item arrays), read by their own extractors.
CUSTOM_DATASETS = ("messages", "customers", "activities", "objects", "metrics")
#: Columns per table: Storage and the warehouses behind it refuse very wide tables.
MAX_COLUMNS_DEFAULT, MAX_COLUMNS_RANGE = 1000, (20, 5000)
#: The settings keys of each dataset group (a one-item array), and how each is parsed.
GROUP_KEYS = {"messages": MESSAGES_KEYS, "customers": CUSTOMERS_KEYS, "activities": ACTIVITIES_KEYS,
              "objects": OBJECTS_KEYS, "metrics": METRICS_KEYS}


@dataclass
class Connection:
    """What a request needs: sync actions use only this, so the rest of a half-edited form cannot fail them."""
    api_key: str
    region: str = "us"


@dataclass
class Settings:
    api_key: str
    region: str = "us"
    incremental: bool = True
    campaigns: bool = False
    segments: bool = False
    segment_members: bool = True
    segment_sizes: bool = False
    max_requests_per_second: int = 10
    max_columns: int = MAX_COLUMNS_DEFAULT
    full_refresh_days: int = FULL_REFRESH_DAYS_DEFAULT
    skip_forbidden: bool = False
    #: Incremental Update keeps the rows of items deleted in Customer.io (the behaviour before issue 19)
    keep_deleted_rows: bool = False
    #: the catalogue datasets switched on besides campaigns and segments (newsletters, optouts, ...)
    resources: FrozenSet[str] = frozenset()
    messages: Optional[MessagesSettings] = None
    customers: Optional[CustomersSettings] = None
    activities: Optional[ActivitiesSettings] = None
    objects: Optional[ObjectsSettings] = None
    metrics: Optional[MetricsSettings] = None
    debug: bool = False
    warnings: List[str] = field(default_factory=list)

    def enabled(self, dataset: str) -> bool:
        """Whether a catalogue dataset (a configuration key) is switched on; segment_members and segment_sizes go
        with segments."""
        if dataset in ("campaigns", "segments"):
            return getattr(self, dataset)
        if dataset in ("segment_members", "segment_sizes"):
            return self.segments and getattr(self, dataset)
        return dataset in self.resources

    def datasets(self) -> List[str]:
        names = [key for key in DATASET_KEYS if self.enabled(key)]
        names += [name for name in CUSTOM_DATASETS if getattr(self, name) is not None]
        return names


def parse_connection(parameters: dict) -> Connection:
    """The API key and region alone, validated exactly as parse_settings validates them."""
    if not isinstance(parameters, dict):
        raise ConfigError("The configuration's `parameters` must be a JSON object.")
    return Connection(api_key=_api_key(parameters.get("#api_secret")),
                      region=_choice(parameters.get("api_region", "us") or "us", "api_region", REGIONS, lower=True))


def parse_settings(parameters: dict, now: Optional[datetime] = None) -> Settings:
    """Validate `parameters` (config.json's `parameters`) into Settings, or raise one ConfigError."""
    connection = parse_connection(parameters)
    now = now or datetime.now(timezone.utc)
    warnings = []
    unknown = sorted(set(parameters) - KNOWN_KEYS)
    if unknown:
        warnings.append(f"Ignoring unknown configuration keys: {', '.join(unknown)}.")

    settings = Settings(
        api_key=connection.api_key,
        region=connection.region,
        incremental=_zero_one(parameters.get("incremental_output", 1), "incremental_output"),
        campaigns=_bool(parameters.get("campaigns", False), "campaigns"),
        segments=_bool(parameters.get("segments", False), "segments"),
        segment_members=_bool(parameters.get("segment_members", True), "segment_members"),
        segment_sizes=_bool(parameters.get("segment_sizes", False), "segment_sizes"),
        max_requests_per_second=_int_range(parameters.get("max_requests_per_second", 10),
                                           "max_requests_per_second", 1, 10),
        max_columns=_int_range(parameters.get("max_columns", MAX_COLUMNS_DEFAULT), "max_columns",
                               *MAX_COLUMNS_RANGE),
        full_refresh_days=_int_range(parameters.get("full_refresh_days", FULL_REFRESH_DAYS_DEFAULT),
                                     "full_refresh_days", 0, 365),
        skip_forbidden=_bool(parameters.get("skip_forbidden", False), "skip_forbidden"),
        keep_deleted_rows=_bool(parameters.get("keep_deleted_rows", False), "keep_deleted_rows"),
        resources=frozenset(key for key in DATASET_KEYS if key not in ("campaigns", "segments")
                            and _bool(parameters.get(key, False), key)),
        debug=_bool(parameters.get("debug", False), "debug"),
        warnings=warnings,
    )
    parsers = {"messages": lambda item: messages_settings(item, now, warnings),
               "customers": lambda item: customers_settings(item, warnings),
               "activities": activities_settings, "objects": objects_settings,
               "metrics": lambda item: metrics_settings(item, now, warnings)}
    for group, keys in GROUP_KEYS.items():
        item = single_item(parameters.get(group), group, keys, warnings)
        if item is not None:
            setattr(settings, group, parsers[group](item))
    return settings


# ---------------------------------------------------------------------------------------------- top level
TRACK_KEY = re.compile(r"^[^:\s]+:[^:\s]+$")


def _api_key(value: Any) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ConfigError(f"The API key (#api_secret) is missing: paste an App API key from Customer.io "
                          f"({KEY_LOCATION}).")
    if not isinstance(value, str):
        raise ConfigError("The API key (#api_secret) must be text.")
    key = value.strip()
    if TRACK_KEY.match(key):
        raise ConfigError(f"The API key (#api_secret) looks like a Track API key (site_id:key); this component "
                          f"needs an App API key ({KEY_LOCATION}).")
    if any(ch.isspace() for ch in key):
        raise ConfigError("The API key (#api_secret) contains spaces or line breaks; paste the App API key alone.")
    return key
