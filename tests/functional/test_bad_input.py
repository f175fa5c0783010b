"""A catalogue of bad input: each run exits 1 with one sentence that says what to change, no traceback."""
import pytest

from helpers import base_parameters

CATALOGUE = [
    ("missing key", {"#api_secret": None}, "API key (#api_secret) is missing"),
    ("empty key", {"#api_secret": "  "}, "API key (#api_secret) is missing"),
    ("track key", {"#api_secret": "a1b2c3:d4e5f6"}, "looks like a Track API key"),
    ("unknown region", {"api_region": "ap"}, "`api_region` must be one of us, eu"),
    ("load type", {"incremental_output": 3}, "`incremental_output` must be 0 (Full Load) or 1"),
    ("string for boolean", {"segments": "false"}, "`segments` must be true or false"),
    ("invalid filter JSON", {"customers": [{"filters": '{"segment": {"id": 7}', "attributes": ""}]},
     "`customers.filters` is not valid JSON"),
    ("unknown filter operator",
     {"customers": [{"filters": '{"attribute": {"field": "plan", "operator": "gt", "value": "1"}}', "attributes": ""}]},
     "unknown operator \"gt\""),
    ("unknown activity type", {"activities": [{"types": ["opened_fax"], "mode": "PARSED_DATA"}]},
     "Unknown activity type opened_fax"),
    ("unknown message type", {"messages": [{"types": ["fax"], "incremental_output": False}]},
     "Unknown message type fax"),
    ("negative lookback", {"messages": [{"types": [], "lookback_days": -3}]}, "`messages.lookback_days`"),
    ("unparseable since", {"messages": [{"types": [], "since": "the dawn of time"}]}, "`messages.since`"),
    ("rate above the cap", {"max_requests_per_second": 50}, "`max_requests_per_second`"),
]


@pytest.mark.parametrize("name, overrides, fragment", CATALOGUE, ids=[c[0] for c in CATALOGUE])
def test_bad_input_exits_1_with_one_sentence(component, fake, name, overrides, fragment):
    parameters = base_parameters(campaigns=True, **{k: v for k, v in overrides.items() if k != "campaigns"})
    if parameters.get("#api_secret") is None:
        del parameters["#api_secret"]
    result = component(parameters)
    assert result.exit_code == 1, result.output
    assert fragment in result.stderr
    error_lines = [line for line in result.stderr.splitlines()
                   if line.strip() and "No action defined" not in line]
    assert len(error_lines) == 1, result.stderr
    assert "Traceback" not in result.output
    assert not fake.requests("^/v1/"), "nothing is requested before the configuration is valid"
    assert result.state is None


def test_empty_attribute_items_are_ignored_with_a_warning(component, fake):
    fake.workspace.people = 30
    result = component(base_parameters(customers=[{"filters": "", "attributes": "email,, ,plan", "method": "api"}]))
    assert result.exit_code == 0, result.output
    assert "Ignoring 2 empty item(s) in `customers.attributes`" in result.stderr
