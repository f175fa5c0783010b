"""Turning API records into flat rows of CSV cells.

A cell is always a str: None becomes empty, booleans are `true`/`false`, numbers keep their JSON spelling, and
any object or array left in one cell is JSON text (double quotes, keys sorted), never Python repr. Identifiers are
the exception: a whole number sent as a float (`2.0`) under a key named `id` or `*_id` (or in a list under `ids` or
`*_ids`) is written as `2`, as every request, key and state value spells it (customerio.ids), so joins hold.
"""
from typing import Dict, Mapping, Optional

import orjson

_JSON_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS


def cell(value) -> str:
    """One value as CSV cell text."""
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (dict, list, tuple)):
        return orjson.dumps(value, option=_JSON_OPTIONS).decode()
    return str(value)


def flatten(record: Mapping, expand: Optional[Mapping[str, Optional[int]]] = None) -> dict:
    """A flat row from one record.

    `expand` names the top-level keys whose objects become `<key>_<sub>` columns and how many levels deep
    (None = all the way down); every other nested value stays one JSON cell. Arrays always stay JSON. An expanded
    key whose value is null means "no values": it adds no column (a `customer_identifiers` column would stick).
    This runs once per row of every table, so the common scalar cases are tested first, by exact type.
    """
    row = {}
    expand = expand or {}
    for key, value in record.items():
        kind = type(value)
        if kind is str:
            row[key] = value
        elif kind is int:
            row[key] = str(value)
        elif value is None:
            if key not in expand:
                row[key] = ""
        elif kind is dict and key in expand:
            _expand_into(row, key, value, expand[key])
        else:
            row[key] = _id_cell(key, kind, value) if kind is float or kind is list else cell(value)
    return row


def _id_cell(key: str, kind: type, value) -> str:
    """A float or a list: as an identifier (`2.0` -> `2`) when its key names one, else as `cell`."""
    if kind is float and value.is_integer() and (key == "id" or key.endswith("_id")):
        return str(int(value))
    if kind is list and (key == "ids" or key.endswith("_ids")) and any(type(item) is float for item in value):
        value = [int(item) if type(item) is float and item.is_integer() else item for item in value]
    return cell(value)


_NAMES: Dict[str, Dict[str, str]] = {}     # prefix -> key -> "prefix_key": built and hashed once, not per row
_NAMES_LIMIT = 10000                        # per level: data-driven keys must not grow memory forever


def _expand_into(row: dict, prefix: str, obj: Mapping, depth: Optional[int]) -> None:
    deeper = depth is None or depth > 1
    names = _NAMES.get(prefix)
    if names is None:
        names = {}
        if len(_NAMES) < _NAMES_LIMIT:
            _NAMES[prefix] = names
    for key, value in obj.items():
        name = names.get(key)
        if name is None:
            name = f"{prefix}_{key}"
            if len(names) < _NAMES_LIMIT:
                names[key] = name
        kind = type(value)
        if kind is str:
            row[name] = value
        elif kind is int:
            row[name] = str(value)
        elif kind is dict and value and deeper:
            _expand_into(row, name, value, None if depth is None else depth - 1)
        else:
            row[name] = _id_cell(key, kind, value) if kind is float or kind is list else cell(value)
