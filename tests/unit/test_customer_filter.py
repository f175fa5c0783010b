"""customers.filters and customers.attributes: JSON, old Python-dict text, and one clear sentence per mistake."""
import pytest

from configuration import EVERYONE, ConfigError, parse_attributes, parse_filter, parse_settings

SEGMENT_AND_NOT = {"and": [{"segment": {"id": 4}},
                           {"not": {"attribute": {"field": "source", "operator": "eq", "value": "newsletter"}}}]}


def customers(**item):
    return parse_settings({"#api_secret": "k", "customers": [item]}).customers


def one_sentence(text):
    with pytest.raises(ConfigError) as raised:
        parse_filter(text)
    message = str(raised.value)
    assert "\n" not in message and "Traceback" not in message
    assert message.startswith("`customers.filters`") and message.endswith(".")
    return message


# ---------------------------------------------------------------------------------------------- what is accepted
@pytest.mark.parametrize("empty", [None, "", "   ", "\n\t", "{}", {}])
def test_empty_filter_means_everyone_by_cio_id(empty):
    assert parse_filter(empty) == {"attribute": {"field": "cio_id", "operator": "exists"}}


def test_everyone_is_a_fresh_copy_each_time():
    first = parse_filter("")
    first["attribute"]["field"] = "changed"
    assert parse_filter("") == EVERYONE == {"attribute": {"field": "cio_id", "operator": "exists"}}


def test_json_filter_is_kept_as_given():
    text = ('{"and":[{"segment":{"id":4}},'
            '{"not":{"attribute":{"field":"source","operator":"eq","value":"newsletter"}}}]}')
    assert parse_filter(text) == SEGMENT_AND_NOT


def test_filter_may_be_an_object_in_the_configuration():
    assert parse_filter(SEGMENT_AND_NOT) == SEGMENT_AND_NOT


def test_python_dict_text_from_old_configs():
    text = "{'and': [{'segment': {'id': 4}}, {'not': {'attribute': {'field': 'source', 'operator': 'eq', " \
           "'value': 'newsletter'}}}]}"
    assert parse_filter(text) == SEGMENT_AND_NOT


def test_python_true_false_none_become_text():
    text = "{'or': [{'attribute': {'field': 'vip', 'operator': 'eq', 'value': True}}, " \
           "{'attribute': {'field': 'vip', 'operator': 'eq', 'value': False}}, " \
           "{'attribute': {'field': 'vip', 'operator': 'eq', 'value': None}}]}"
    values = [c["attribute"]["value"] for c in parse_filter(text)["or"]]
    assert values == ["true", "false", ""]


def test_literal_eval_never_runs_code(tmp_path):
    marker = tmp_path / "ran"
    text = f"__import__('pathlib').Path({str(marker)!r}).write_text('x')"
    with pytest.raises(ConfigError, match="not valid JSON"):
        parse_filter(text)
    assert not marker.exists()


@pytest.mark.parametrize("value, text", [(True, "true"), (False, "false"), (7, "7"), (2.5, "2.5"), ("NM", "NM"),
                                         (None, "")])
def test_eq_values_are_compared_as_text(value, text):
    result = parse_filter({"attribute": {"field": "f", "operator": "eq", "value": value}})
    assert result == {"attribute": {"field": "f", "operator": "eq", "value": text}}


def test_exists_drops_a_stray_value():
    assert parse_filter({"attribute": {"field": "plan", "operator": "exists", "value": "x"}}) == \
        {"attribute": {"field": "plan", "operator": "exists"}}


def test_segment_id_given_as_text_becomes_a_number():
    assert parse_filter('{"segment": {"id": " 12 "}}') == {"segment": {"id": 12}}


def test_the_documented_nested_example_passes():
    text = """{"and":[{"segment":{"id":3}},
      {"or":[{"attribute":{"field":"interest","operator":"eq","value":"roadrunners"}},
             {"attribute":{"field":"state","operator":"eq","value":"NM"}},
             {"not":{"attribute":{"field":"species","operator":"eq","value":"roadrunners"}}}]}]}"""
    result = parse_filter(text)
    assert result["and"][1]["or"][2] == {"not": {"attribute": {"field": "species", "operator": "eq",
                                                               "value": "roadrunners"}}}


# ---------------------------------------------------------------------------------------------- mistakes
def test_invalid_json_names_line_and_column():
    message = one_sentence('{"and": [\n  {"segment": {"id": 1}}\n  {"segment": {"id": 2}}\n]}')
    assert "is not valid JSON" in message and "line 3, column 3" in message


def test_unbalanced_brace_from_the_old_readme_is_reported():
    message = one_sentence('{"attribute":{"field":"unsubscribed","operator":"eq","value":"true"}}}')
    assert "line 1, column 70" in message


@pytest.mark.parametrize("text, fragment", [
    ('{"segmnt": {"id": 1}}', 'unknown key "segmnt"; use one of and, or, not, segment, attribute'),
    ('{"and": [{"segment": {"id": 1}}, {"attr": {}}]}', 'at filters.and[1]: unknown key "attr"'),
    ('{"attribute": {"field": "plan", "operator": "gt", "value": "1"}}', 'unknown operator "gt"'),
    ('{"attribute": {"field": "plan", "operator": "contains", "value": "p"}}', "supports eq and exists"),
    ('{"attribute": {"field": "plan"}}', "unknown operator null"),
    ('{"attribute": {"field": "plan", "operator": "eq"}}', 'the eq operator needs a "value"'),
    ('{"attribute": {"operator": "exists"}}', 'needs a "field"'),
    ('{"attribute": {"field": "", "operator": "exists"}}', 'needs a "field"'),
    ('{"attribute": {"field": "plan", "operator": "eq", "value": "pro", "inverse": true}}',
     'unknown key(s) inverse in an attribute condition'),
    ('{"attribute": {"field": "plan", "operator": "eq", "value": {"a": 1}}}', "eq value must be text"),
    ('{"segment": {"id": "seven"}}', "a segment condition needs a numeric id"),
    ('{"segment": {"id": true}}', "a segment condition needs a numeric id"),
    ('{"segment": 7}', "a segment condition needs a numeric id"),
    ('{"segment": {"id": 7, "name": "VIP"}}', 'unknown key(s) name; a segment condition holds only "id"'),
    ('{"and": []}', '"and" needs a non-empty list'),
    ('{"or": {"segment": {"id": 1}}}', '"or" needs a non-empty list'),
    ('{"not": [{"segment": {"id": 1}}]}', '"not" takes one condition object, not a list'),
    ('{"segment": {"id": 1}, "attribute": {"field": "a", "operator": "exists"}}', "exactly one of"),
    ('{"and": [{}]}', "at filters.and[0]: each condition must be an object with exactly one of"),
    ('["segment"]', "must be a JSON object"),
    ('"everyone"', "must be a JSON object"),
    ("{[1]: 2}", "is not valid JSON"),          # literal_eval raises TypeError here, not ValueError
    ("{'segment': {'id': 1}", "is not valid JSON"),
    ("{'segment': {'id': 1}} and more", "is not valid JSON"),
])
def test_mistakes_are_one_sentence(text, fragment):
    assert fragment in one_sentence(text)


def test_error_path_points_into_nested_conditions():
    message = one_sentence('{"and": [{"segment": {"id": 1}}, {"or": [{"not": {"attribute": '
                           '{"field": "a", "operator": "lt", "value": "1"}}}]}]}')
    assert "at filters.and[1].or[0].not.attribute: unknown operator \"lt\"" in message


@pytest.mark.parametrize("text", ["[" * 100000, '{"not":' * 5000 + "{}" + "}" * 5000])
def test_absurdly_deep_text_is_a_config_error_not_a_crash(text):
    assert "nested too deeply" in one_sentence(text)


def test_deep_but_parseable_filters_are_limited():
    node = {"segment": {"id": 1}}
    for _ in range(25):
        node = {"not": node}
    assert "nested more than 20 levels" in one_sentence(node)


def test_reasonable_depth_passes():
    node = {"segment": {"id": 1}}
    for _ in range(19):
        node = {"not": node}
    assert parse_filter(node) == node


@pytest.mark.parametrize("value", [7, ["a"], True])
def test_filter_of_the_wrong_type(value):
    assert "must be JSON text" in one_sentence(value)


# ---------------------------------------------------------------------------------------------- attributes
@pytest.mark.parametrize("text, names", [
    ("", []),
    (None, []),
    ("plan", ["plan"]),
    ("plan, first_name ,Company Name", ["plan", "first_name", "Company Name"]),
    ("plan\nfirst_name\n", ["plan", "first_name"]),
    ("plan,plan,Plan", ["plan", "Plan"]),
    (["plan", " first_name "], ["plan", "first_name"]),
    ('["plan", "first_name"]', ["plan", "first_name"]),
])
def test_attribute_lists(text, names):
    assert parse_attributes(text, []) == names


def test_empty_attribute_items_warn():
    warnings = []
    assert parse_attributes("plan,, ,first_name", warnings) == ["plan", "first_name"]
    assert warnings == ["Ignoring 2 empty item(s) in `customers.attributes`."]


@pytest.mark.parametrize("value", [7, {"plan": 1}, ["plan", None], ["plan", 3]])
def test_attributes_of_the_wrong_type(value):
    with pytest.raises(ConfigError, match="comma-separated list of attribute names"):
        parse_attributes(value, [])


# ---------------------------------------------------------------------------------------------- the whole item
def test_defaults_of_the_customers_item():
    settings = customers(filters="", attributes="")
    assert settings.filter == EVERYONE and settings.attributes == []
    assert settings.method == "export" and settings.export_timeout_minutes == 60


def test_method_and_timeout():
    settings = customers(filters="", attributes="plan", method=" API ", export_timeout_minutes=5)
    assert settings.method == "api" and settings.export_timeout_minutes == 5 and settings.attributes == ["plan"]


@pytest.mark.parametrize("item, fragment", [
    ({"method": "magic"}, "`customers.method` must be one of export, api"),
    ({"export_timeout_minutes": 0}, "`customers.export_timeout_minutes` must be a whole number from 1 to 1440"),
    ({"export_timeout_minutes": "60"}, "`customers.export_timeout_minutes`"),
    ({"export_timeout_minutes": 2000}, "from 1 to 1440"),
])
def test_wrong_item_values(item, fragment):
    with pytest.raises(ConfigError) as raised:
        customers(filters="", **item)
    assert fragment in str(raised.value)


def test_unknown_customers_key_warns():
    settings = parse_settings({"#api_secret": "k", "customers": [{"filters": "", "filter": "{}"}]})
    assert any("Ignoring unknown keys in `customers`: filter." == w for w in settings.warnings)


# ---------------------------------------------------------------------------------------------- segment picker
def test_segment_ids_alone_replace_everyone():
    assert customers(filters="", segment_ids=["7"]).filter == {"segment": {"id": 7}}
    assert customers(filters="", segment_ids=["7", 12, "7"]).filter == \
        {"or": [{"segment": {"id": 7}}, {"segment": {"id": 12}}]}


def test_segment_ids_are_anded_with_the_filter():
    settings = customers(filters='{"attribute": {"field": "plan", "operator": "exists"}}', segment_ids=["3", "4"])
    assert settings.filter == {"and": [{"attribute": {"field": "plan", "operator": "exists"}},
                                       {"or": [{"segment": {"id": 3}}, {"segment": {"id": 4}}]}]}


@pytest.mark.parametrize("empty", [None, [], ""])
def test_no_segment_ids_change_nothing(empty):
    assert customers(filters="", segment_ids=empty).filter == EVERYONE


@pytest.mark.parametrize("value", [["seven"], [True], [{"id": 7}], ["-1"]])
def test_wrong_segment_ids(value):
    with pytest.raises(ConfigError, match=r"`customers.segment_ids` must list segment ids such as \[\"7\""):
        customers(filters="", segment_ids=value)


def test_segment_ids_is_a_known_key():
    settings = parse_settings({"#api_secret": "k", "customers": [{"filters": "", "segment_ids": ["1"]}]})
    assert not settings.warnings
