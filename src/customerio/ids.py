"""Identifiers as the API sends them: strings in most answers, JSON numbers in some (the spec's own people-search
example gives `cio_id: 3000001`). Everything that builds a request, a key or a state value reads them here, so
`123` and `"123"` are the same id and are written as the same text."""
from typing import Optional


def id_text(value) -> Optional[str]:
    """The identifier as text (`123`, never `123.0`); None when there is none (null, empty, a boolean)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        return value or None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return repr(value)
    return None
