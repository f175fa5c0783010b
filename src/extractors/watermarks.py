"""Per-key high-water marks (unix seconds) kept in a dataset's state between runs.

Messages remember the newest `created` per message type, activities the newest `timestamp` per activity type.
A mark comes from the last successful run, is advanced by what this run saw, never moves back, and never moves
past the moment the run started, so a future-dated record cannot make the next run skip real ones.
"""
import threading
from typing import Dict, Optional


class Watermarks:
    def __init__(self, dataset_state, field: str, ceiling: int):
        self.field = field
        self.ceiling = ceiling
        self.previous = _marks(dataset_state, field)
        self._seen: Dict[str, int] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> Optional[int]:
        """The last run's mark for `key`."""
        return self.previous.get(key)

    def advance(self, key: str, value: int) -> None:
        value = min(int(value), self.ceiling)
        with self._lock:
            if value > self._seen.get(key, value - 1):
                self._seen[key] = value

    def state(self) -> dict:
        """`{field: {key: mark}}`: the last run's marks moved forward by this run's."""
        marks = dict(self.previous)
        with self._lock:
            for key, value in self._seen.items():
                marks[key] = max(value, marks.get(key, value))
        return {self.field: dict(sorted(marks.items()))}


def _marks(dataset_state, field: str) -> Dict[str, int]:
    """The stored marks; anything malformed (from an older or hand-edited state) is ignored."""
    values = dataset_state.get(field) if isinstance(dataset_state, dict) else None
    if not isinstance(values, dict):
        return {}
    return {key: int(value) for key, value in values.items()
            if isinstance(key, str) and isinstance(value, (int, float)) and not isinstance(value, bool)}
