"""What an extractor raises when a dataset cannot be read for a reason the user can act on.

Extractors know nothing about Keboola: component.py turns a DatasetError into exit code 1 with its message,
which is one sentence saying what happened and what to change (or that running again later should help).
"""


class DatasetError(Exception):
    """A dataset failed for a reason the user can fix or retry; the message is shown as it is."""
