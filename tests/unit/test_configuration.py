"""Configuration: original configs parse unchanged, every wrong value is one clear sentence."""
import json
import os
import re
from datetime import datetime, timezone

import jsonschema
import pytest

from configuration import KEY_LOCATION, ConfigError, parse_connection, parse_settings, parse_since

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)
ORIGINAL_SCHEMA = os.path.join(os.path.dirname(__file__), "..", "fixtures", "original-configSchema.json")

# A configuration as the original component's UI saved it (every dataset on).
ORIGINAL_CONFIG = {
    "#api_secret": "  0123456789abcdef0123456789abcdef \n",
    "api_region": "eu",
    "incremental_output": 0,
    "campaigns": True,
    "segments": True,
    "activities": [{"mode": "SINGLE_TABLE", "types": ["event", "secondary:opened_email", "stripe_event"],
                    "delete": True}],
    "messages": [{"types": ["email", "urban_airship"], "incremental_output": True}],
    "customers": [{"filters": "{'attribute': {'field': 'unsubscribed', 'operator': 'eq', 'value': 'true'}}",
                   "attributes": "email, first_name,, plan"}],
}


def parse(**parameters):
    return parse_settings(parameters, now=NOW)


def test_original_config_parses_unchanged():
    jsonschema.validate(ORIGINAL_CONFIG, json.load(open(ORIGINAL_SCHEMA)))
    settings = parse_settings(ORIGINAL_CONFIG, now=NOW)
    assert settings.api_key == "0123456789abcdef0123456789abcdef"
    assert settings.region == "eu" and settings.incremental is False
    assert settings.campaigns and settings.segments and settings.segment_members
    assert settings.max_requests_per_second == 10
    assert settings.activities.mode == "SINGLE_TABLE" and settings.activities.deleted is True
    assert settings.messages.types == ["email", "urban_airship"] and settings.messages.continue_since_last_run
    assert settings.customers.filter == {"attribute": {"field": "unsubscribed", "operator": "eq", "value": "true"}}
    assert settings.customers.attributes == ["email", "first_name", "plan"]
    assert settings.customers.method == "export"
    assert any("empty item" in w for w in settings.warnings)
    assert settings.datasets() == ["campaigns", "segments", "messages", "customers", "activities"]


def test_defaults():
    settings = parse(**{"#api_secret": "k"})
    assert (settings.region, settings.incremental, settings.campaigns, settings.segments) == ("us", True, False, False)
    assert settings.messages is None and settings.customers is None and settings.activities is None
    assert settings.datasets() == []


@pytest.mark.parametrize("parameters, fragment", [
    ({}, "API key (#api_secret) is missing"),
    ({"#api_secret": "   "}, "API key (#api_secret) is missing"),
    ({"#api_secret": "123456:abcdef"}, "Track API key"),
    ({"#api_secret": "k", "api_region": "asia"}, "`api_region` must be one of us, eu"),
    ({"#api_secret": "k", "incremental_output": 2}, "`incremental_output` must be 0 (Full Load) or 1"),
    ({"#api_secret": "k", "incremental_output": "yes"}, "`incremental_output` must be 0"),
    ({"#api_secret": "k", "campaigns": "true"}, "`campaigns` must be true or false"),
    ({"#api_secret": "k", "segment_members": 1}, "`segment_members` must be true or false"),
    ({"#api_secret": "k", "segment_sizes": "yes"}, "`segment_sizes` must be true or false"),
    ({"#api_secret": "k", "metrics": [{"links": "all"}]}, "`metrics.links` must be true or false"),
    ({"#api_secret": "k", "metrics": [{"journeys": 1}]}, "`metrics.journeys` must be true or false"),
    ({"#api_secret": "k", "metrics": [{"entities": ["variants"]}]},
     "valid ones are: campaigns, campaign_actions, newsletters, newsletter_variants"),
    ({"#api_secret": "k", "max_requests_per_second": 20}, "`max_requests_per_second` must be a whole number from 1"),
    ({"#api_secret": "k", "max_requests_per_second": 0}, "from 1 to 10"),
    ({"#api_secret": "k", "messages": [{"types": ["fax"]}]}, "Unknown message type fax"),
    ({"#api_secret": "k", "messages": [{"types": [], "lookback_days": -1}]}, "`messages.lookback_days`"),
    ({"#api_secret": "k", "messages": [{"types": [], "since": "last tuesday"}]}, "`messages.since`"),
    ({"#api_secret": "k", "messages": [{"types": []}, {"types": []}]}, "`messages` must be a list with one"),
    ({"#api_secret": "k", "activities": [{"types": ["nope"], "mode": "PARSED_DATA"}]}, "Unknown activity type nope"),
    ({"#api_secret": "k", "activities": [{"types": [], "mode": "FLAT"}]}, "`activities.mode` must be one of"),
    ({"#api_secret": "k", "activities": [{"types": [], "lookback_hours": -2}]}, "`activities.lookback_hours`"),
    ({"#api_secret": "k", "customers": [{"filters": "{\"and\": [", "attributes": ""}]}, "line 1, column"),
    ({"#api_secret": "k", "customers": [{"filters": "{\"segmnt\": {\"id\": 1}}"}]}, "unknown key \"segmnt\""),
    ({"#api_secret": "k", "customers": [{"filters": "", "method": "magic"}]}, "`customers.method`"),
])
def test_wrong_values_give_one_sentence(parameters, fragment):
    with pytest.raises(ConfigError) as raised:
        parse(**parameters)
    message = str(raised.value)
    assert fragment in message
    assert "\n" not in message and "Traceback" not in message


def test_metrics_defaults_leave_the_costly_options_off():
    settings = parse(**{"#api_secret": "k", "metrics": [{}]})
    assert settings.metrics.entities == ["campaigns", "campaign_actions", "newsletters", "broadcasts",
                                         "broadcast_actions", "transactional"]
    assert (settings.metrics.links, settings.metrics.journeys) == (False, False)
    item = {"entities": ["newsletter_variants"], "links": True, "journeys": True}
    chosen = parse(**{"#api_secret": "k", "metrics": [item]}).metrics
    assert (chosen.entities, chosen.links, chosen.journeys) == (["newsletter_variants"], True, True)


def test_segment_sizes_go_with_segments():
    assert not parse(**{"#api_secret": "k", "segments": True}).enabled("segment_sizes")
    assert not parse(**{"#api_secret": "k", "segment_sizes": True}).enabled("segment_sizes")
    assert parse(**{"#api_secret": "k", "segments": True, "segment_sizes": True}).enabled("segment_sizes")


def test_activity_type_error_lists_the_valid_types():
    with pytest.raises(ConfigError) as raised:
        parse(**{"#api_secret": "k", "activities": [{"types": ["nope"]}]})
    assert "sent_email" in str(raised.value) and "secondary:opened_email" in str(raised.value)


def test_deleted_is_a_synonym_of_delete():
    for key in ("delete", "deleted"):
        assert parse(**{"#api_secret": "k", "activities": [{"types": [], key: True}]}).activities.deleted


def test_unknown_keys_warn_instead_of_failing():
    settings = parse(**{"#api_secret": "k", "site_id": "old", "messages": [{"types": [], "foo": 1}]})
    assert any("site_id" in w for w in settings.warnings)
    assert any("foo" in w for w in settings.warnings)


def test_since_accepts_dates_and_relative_text():
    assert parse_since("2026-01-31", NOW, "k") == int(datetime(2026, 1, 31, tzinfo=timezone.utc).timestamp())
    assert parse_since("2026-01-31T08:00:00Z", NOW, "k") == \
        int(datetime(2026, 1, 31, 8, tzinfo=timezone.utc).timestamp())
    assert parse_since("12 months ago", NOW, "k") == int(datetime(2025, 11, 27, 12, tzinfo=timezone.utc).timestamp())
    assert parse_since("30 days ago", NOW, "k") == int(NOW.timestamp()) - 30 * 86400
    assert parse_since("2 years ago", NOW, "k") == int(datetime(2024, 11, 27, 12, tzinfo=timezone.utc).timestamp())
    with pytest.raises(ConfigError, match="future"):
        parse_since("2030-01-01", NOW, "k")


def test_messages_default_since_is_six_months():
    settings = parse(**{"#api_secret": "k", "messages": [{"types": []}]})
    assert settings.messages.since == int(datetime(2026, 5, 27, 12, tzinfo=timezone.utc).timestamp())


def test_connection_reads_the_key_and_region_alone():
    connection = parse_connection({"#api_secret": " key ", "api_region": "EU", "max_requests_per_second": 0,
                                   "customers": [{"filters": "{not json"}], "messages": "nonsense"})
    assert (connection.api_key, connection.region) == ("key", "eu")


@pytest.mark.parametrize("parameters", [
    {"#api_secret": ""}, {"#api_secret": "site:key"}, {"#api_secret": "k", "api_region": "moon"}, [],
])
def test_connection_refuses_what_parse_settings_refuses_with_the_same_sentence(parameters):
    with pytest.raises(ConfigError) as from_settings:
        parse_settings(parameters)
    with pytest.raises(ConfigError) as from_connection:
        parse_connection(parameters)
    assert str(from_connection.value) == str(from_settings.value)


def test_key_errors_say_where_the_key_lives():
    for parameters in ({}, {"#api_secret": "site:key"}):
        with pytest.raises(ConfigError, match=re.escape(KEY_LOCATION)):
            parse_settings(parameters)


def test_since_far_before_year_one_is_a_sentence_not_a_crash():
    with pytest.raises(ConfigError, match="before the year 1"):
        parse_since("99999 years ago", NOW, "k")
    with pytest.raises(ConfigError, match="before the year 1"):
        parse_since("999999999 days ago", NOW, "k")
