"""The run's configuration: config.json's parameters checked into typed settings, and the test knobs.

- settings.py: the top level (key, region, load type, datasets, limits) and parse_settings, the one entry point;
- datasets.py: the datasets with settings of their own (messages, customers, activities, objects, metrics);
- values.py: single values (booleans, ranges, choices, `since` texts); people_filter.py: customers.filters;
- errors.py: ConfigError, one sentence per mistake; knobs.py: test knobs, honoured only against the fake API.
"""
from configuration.datasets import (CustomersSettings, MessagesSettings, MetricsSettings, ObjectsSettings,
                                    ActivitiesSettings, parse_attributes)
from configuration.errors import ConfigError
from configuration.knobs import Knobs, read_knobs
from configuration.people_filter import EVERYONE, parse_filter, parse_segment_ids, with_segments
from configuration.settings import (CUSTOM_DATASETS, DATASET_KEYS, GROUP_KEYS, KEY_LOCATION, KNOWN_KEYS, Connection,
                                    Settings, parse_connection, parse_settings)
from configuration.values import SINCE_FORMS, SINCE_PATTERN, parse_since

__all__ = [
    "ActivitiesSettings", "CustomersSettings", "MessagesSettings", "MetricsSettings", "ObjectsSettings",
    "parse_attributes", "ConfigError", "Knobs", "read_knobs", "EVERYONE", "parse_filter", "parse_segment_ids",
    "with_segments", "CUSTOM_DATASETS", "DATASET_KEYS", "GROUP_KEYS", "KEY_LOCATION", "KNOWN_KEYS", "Connection",
    "Settings", "parse_connection", "parse_settings", "SINCE_FORMS", "SINCE_PATTERN", "parse_since",
]
