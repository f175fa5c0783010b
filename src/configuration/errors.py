"""The one error type for configuration mistakes, and how a wrong value is shown in its sentence."""
import json
from typing import Any

from keboola.component.exceptions import UserException


class ConfigError(UserException):
    """A configuration value the user has to change."""


def show(value: Any) -> str:
    """A value as the user wrote it, shortened for a one-sentence message."""
    text = json.dumps(value) if not isinstance(value, str) else f'"{value}"'
    return text if len(text) <= 60 else text[:57] + "..."
